const TEXT_TYPES =
  /^(text\/|application\/(xml|x-www-form-urlencoded|javascript|ecmascript|graphql|x-ndjson)\b)|\+xml$/;
const JSON_TYPES = /^application\/(json|[^;]+\+json)$|^text\/json$/;

function mimeOf(contentType: string | undefined): string {
  return (contentType ?? '').split(';')[0].trim().toLowerCase();
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
 * `data` of the proxy answer: parsed JSON for JSON types (the text when it does not parse, never
 * an error: checklist U7), text for text, XML and forms, null when empty or for HEAD. Binary
 * bodies are stored and answered as `binary_data` by the service, so their `data` is null too.
 */
export function mapResponseData(method: string, contentType: string | undefined, bytes: Buffer): unknown {
  if (method === 'HEAD') return null;
  switch (bodyKind(contentType, bytes)) {
    case 'empty':
      return null;
    case 'json': {
      const text = bytes.toString('utf8');
      try {
        return JSON.parse(text) as unknown;
      } catch {
        return text;
      }
    }
    case 'text':
      return bytes.toString('utf8');
    case 'binary':
      return null;
  }
}
