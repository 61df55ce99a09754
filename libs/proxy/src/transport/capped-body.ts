import { pipeline, type Readable, Transform, type TransformCallback } from 'node:stream';
import { createBrotliDecompress, createGunzip, createInflate } from 'node:zlib';

export class ResponseTooLargeError extends Error {
  readonly code = 'EPROXY_RESPONSE_TOO_LARGE';
  constructor(readonly limit: number) {
    super(`upstream body exceeds ${limit} bytes`);
  }
}

const DECODERS: Record<string, () => Transform> = {
  gzip: createGunzip,
  'x-gzip': createGunzip,
  deflate: createInflate,
  br: createBrotliDecompress,
};
/** Longer coding chains are a compression-bomb pattern (checklist U6): passed through undecoded. */
const MAX_CODINGS = 2;

export interface ReadBody {
  bytes: Buffer;
  /** True when the bytes were decompressed (the upstream's content-encoding no longer applies). */
  decoded: boolean;
}

export interface BodyStream {
  stream: Readable;
  /** True when the stream is decompressed (the upstream's content-encoding no longer applies). */
  decoded: boolean;
}

/** The decoders for a content-encoding, last applied first; none when it is absent or not decodable. */
function decodersFor(contentEncoding: string | undefined): Transform[] {
  const codings = (contentEncoding ?? '')
    .split(',')
    .map((c) => c.trim().toLowerCase())
    .filter((c) => c && c !== 'identity');
  const decodable =
    codings.length > 0 && codings.length <= MAX_CODINGS && codings.every((c) => c in DECODERS);
  return decodable ? codings.reverse().map((coding) => DECODERS[coding]()) : [];
}

/** A number of bytes that one or several streams draw from (all the files of one upload, say). */
export class ByteBudget {
  private used = 0;

  constructor(readonly limit: number) {}

  get remaining(): number {
    return this.limit - this.used;
  }

  /** Counts `bytes`; false once the total is past the limit. */
  take(bytes: number): boolean {
    this.used += bytes;
    return this.used <= this.limit;
  }
}

/**
 * Passes bytes through until its budget is spent, then fails with `tooLarge(limit)`. Counted after
 * decompression, so neither a huge body nor a compression bomb gets far.
 */
export class ByteCap extends Transform {
  constructor(
    private readonly budget: ByteBudget,
    private readonly tooLarge: (limit: number) => Error = (l) => new ResponseTooLargeError(l),
  ) {
    super();
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback): void {
    if (this.budget.take(chunk.length)) done(null, chunk);
    else done(this.tooLarge(this.budget.limit));
  }
}

/**
 * A body as a stream: decompressed when its content-encoding allows, then capped. An error in any
 * stage (the socket, a decoder, the cap) destroys them all and surfaces on the returned stream;
 * destroying the returned stream releases the socket. `onSourceError` hears the errors that arose
 * on the source's side (the socket, a decoder, the cap), not the one a reader destroying the
 * stream spreads back up.
 */
export function cappedBodyStream(
  body: Readable,
  limit: number | ByteBudget,
  contentEncoding?: string,
  options: { tooLarge?: (limit: number) => Error; onSourceError?: (error: Error) => void } = {},
): BodyStream {
  const decoders = decodersFor(contentEncoding);
  const { onSourceError } = options;
  const cap = new ByteCap(typeof limit === 'number' ? new ByteBudget(limit) : limit, (l) => {
    const error = (options.tooLarge ?? ((n: number) => new ResponseTooLargeError(n)))(l);
    onSourceError?.(error);
    return error;
  });
  if (onSourceError) {
    for (const stage of [body, ...decoders]) {
      stage.on('error', (error: Error) => {
        if (!cap.destroyed) onSourceError(error);
      });
    }
  }
  // The error of any stage also surfaces on the cap stream, the one the reader holds.
  const stream = pipeline([body, ...decoders, cap], () => undefined) as unknown as Readable;
  return { stream, decoded: decoders.length > 0 };
}

/** A body's chunks, kept up to a number of bytes, then joined into one buffer. */
export class GatheredBytes {
  private readonly chunks: Buffer[] = [];
  private size = 0;

  constructor(readonly limit = Infinity) {}

  /** Keeps `chunk`; false, keeping nothing more, once the total is past the limit. */
  add(chunk: Buffer): boolean {
    this.size += chunk.length;
    if (this.size > this.limit) return false;
    this.chunks.push(chunk);
    return true;
  }

  bytes(): Buffer {
    return this.chunks.length === 1 ? this.chunks[0] : Buffer.concat(this.chunks, this.size);
  }
}

/**
 * Reads a stream to its end into one buffer, with plain listeners (no async iterator per call).
 * Past `limit` bytes the stream is destroyed and the read fails with a ResponseTooLargeError.
 */
export function readAll(stream: Readable, limit = Infinity): Promise<Buffer> {
  return new Promise<Buffer>((resolve, reject) => {
    const gathered = new GatheredBytes(limit);
    stream.on('data', (chunk: Buffer) => {
      if (gathered.add(chunk)) return;
      reject(new ResponseTooLargeError(limit));
      stream.destroy();
    });
    stream.once('error', reject);
    stream.once('end', () => resolve(gathered.bytes()));
  });
}

/**
 * Reads an upstream body into memory, stopping (and destroying the socket's stream) as soon as it
 * passes `limit` bytes, counted after decompression.
 */
export async function readCappedBody(
  body: Readable,
  limit: number,
  contentEncoding?: string,
): Promise<ReadBody> {
  const decoders = decodersFor(contentEncoding);
  // Nothing to decode: the stream is read as it is, without a pipeline.
  if (decoders.length === 0) return { bytes: await readAll(body, limit), decoded: false };
  const { stream } = cappedBodyStream(body, limit, contentEncoding);
  return { bytes: await readAll(stream), decoded: true };
}
