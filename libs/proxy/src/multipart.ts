import { Readable } from 'node:stream';

/** A part's bytes: in memory, or a stream with its length when known. */
export type PartContent = Buffer | { body: Readable; length?: number };

export interface MultipartPart {
  name: string;
  filename?: string;
  contentType?: string;
  content: PartContent;
}

export interface EncodedMultipart {
  /** A Buffer when every part is in memory (so the body can be sent twice), a stream otherwise. */
  body: Buffer | Readable;
  /** Total bytes, when every part's length is known. */
  length?: number;
}

const CRLF = '\r\n';

/** Names and file names in quotes, escaped as browsers do (WHATWG HTML, multipart/form-data). */
function quoted(value: string): string {
  return `"${value.replace(/"/g, '%22').replace(/\r/g, '%0D').replace(/\n/g, '%0A')}"`;
}

function partHeader(part: MultipartPart, boundary: string): Buffer {
  let head = `--${boundary}${CRLF}Content-Disposition: form-data; name=${quoted(part.name)}`;
  if (part.filename !== undefined) head += `; filename=${quoted(part.filename)}`;
  head += CRLF;
  // Control characters would split the header: content types were validated, this is a backstop.
  if (part.contentType !== undefined)
    head += `Content-Type: ${part.contentType.replace(/[\r\n]/g, '')}${CRLF}`;
  return Buffer.from(`${head}${CRLF}`);
}

/**
 * Encodes parts as multipart/form-data (RFC 7578) with `boundary`. Streams are read in order, one
 * after the other, as the upstream takes the bytes: nothing is held beyond what is in flight.
 */
export function encodeMultipart(parts: readonly MultipartPart[], boundary: string): EncodedMultipart {
  const pieces: PartContent[] = [];
  for (const part of parts) {
    pieces.push(partHeader(part, boundary), part.content, Buffer.from(CRLF));
  }
  pieces.push(Buffer.from(`--${boundary}--${CRLF}`));

  const buffers = pieces.filter((piece) => Buffer.isBuffer(piece));
  if (buffers.length === pieces.length) {
    const body = Buffer.concat(buffers);
    return { body, length: body.length };
  }
  // Both a Buffer and a stream with a declared size have a `length`.
  let length: number | undefined = 0;
  for (const piece of pieces) {
    length = length === undefined || piece.length === undefined ? undefined : length + piece.length;
  }
  async function* chunks(): AsyncGenerator<Buffer> {
    for (const piece of pieces) {
      if (Buffer.isBuffer(piece)) yield piece;
      else yield* piece.body as AsyncIterable<Buffer>;
    }
  }
  return { body: Readable.from(chunks(), { objectMode: false }), length };
}
