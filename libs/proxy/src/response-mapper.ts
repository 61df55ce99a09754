import type { BinaryData } from '@app/files';

const TEXT_TYPES =
  /^(text\/|application\/(xml|x-www-form-urlencoded|javascript|ecmascript|graphql|x-ndjson)\b)|\+xml$/;
const JSON_TYPES = /^application\/(json|[^;]+\+json)$|^text\/json$/;

function mimeOf(contentType: string | undefined): string {
  if (contentType === undefined) return '';
  const parameters = contentType.indexOf(';');
  return (parameters === -1 ? contentType : contentType.slice(0, parameters)).trim().toLowerCase();
}

export type BodyKind = 'empty' | 'json' | 'text' | 'binary';

/** A content type that says binary on its own (neither JSON, nor text, nor absent). */
export function isBinaryContentType(contentType: string | undefined): boolean {
  const mime = mimeOf(contentType);
  return mime !== '' && !JSON_TYPES.test(mime) && !TEXT_TYPES.test(mime);
}

export function bodyKind(contentType: string | undefined, bytes: Buffer): BodyKind {
  if (bytes.length === 0) return 'empty';
  const mime = mimeOf(contentType);
  if (JSON_TYPES.test(mime)) return 'json';
  if (TEXT_TYPES.test(mime)) return 'text';
  if (mime === '') return isUtf8(bytes) ? 'text' : 'binary';
  return 'binary';
}

function isUtf8(bytes: Buffer): boolean {
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    return true;
  } catch {
    return false;
  }
}

/**
 * `data` of the proxy answer, as JSON text, for a body of the given kind: for JSON types the
 * upstream's own text, spliced in as it is once it parses (no re-serialisation, and integers beyond
 * 2^53 keep every digit), else the text as a JSON string (checklist U7: never an error); text, XML
 * and forms as strings; null when empty. Binary bodies are stored and answered as `binary_data`,
 * so `data` is null (as it is for HEAD, whose answer has no body to read).
 */
export function responseDataJson(kind: BodyKind, bytes: Buffer): string {
  switch (kind) {
    case 'empty':
      return 'null';
    case 'json': {
      const text = bytes.toString('utf8');
      try {
        JSON.parse(text);
        return text;
      } catch {
        return JSON.stringify(text);
      }
    }
    case 'text':
      return JSON.stringify(bytes.toString('utf8'));
    case 'binary':
      return 'null';
  }
}

/** A proxy answer whose `data` is already JSON text (see `responseDataJson`). */
export interface ProxyAnswer {
  status: number;
  dataJson: string;
  headers: Record<string, string>;
  binary_data?: BinaryData;
}

/** The answer's JSON body: `{status, data, headers, binary_data?}`, with `data` spliced in. */
export function proxyAnswerJson(answer: ProxyAnswer): string {
  const binary = answer.binary_data ? `,"binary_data":${JSON.stringify(answer.binary_data)}` : '';
  return `{"status":${answer.status},"data":${answer.dataJson},"headers":${JSON.stringify(answer.headers)}${binary}}`;
}
