import type { Readable } from 'node:stream';
import { createBrotliDecompress, createGunzip, createInflate } from 'node:zlib';

export class ResponseTooLargeError extends Error {
  readonly code = 'EPROXY_RESPONSE_TOO_LARGE';
  constructor(readonly limit: number) {
    super(`upstream body exceeds ${limit} bytes`);
  }
}

const DECODERS: Record<string, () => NodeJS.ReadWriteStream> = {
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

/**
 * Reads an upstream body into memory, stopping (and destroying the socket's stream) as soon as it
 * passes `limit` bytes, counted after decompression, so neither a huge body nor a bomb gets far.
 */
export async function readCappedBody(
  body: Readable,
  limit: number,
  contentEncoding?: string,
): Promise<ReadBody> {
  const codings = (contentEncoding ?? '')
    .split(',')
    .map((c) => c.trim().toLowerCase())
    .filter((c) => c && c !== 'identity');
  const decodable =
    codings.length > 0 && codings.length <= MAX_CODINGS && codings.every((c) => c in DECODERS);
  let stream: NodeJS.ReadableStream = body;
  if (decodable) {
    // Codings are listed in the order they were applied: undo them last to first.
    for (const coding of [...codings].reverse()) stream = stream.pipe(DECODERS[coding]());
  }
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      size += chunk.length;
      if (size > limit) throw new ResponseTooLargeError(limit);
      chunks.push(chunk);
    }
  } catch (error) {
    body.destroy();
    throw error;
  }
  return { bytes: chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, size), decoded: decodable };
}
