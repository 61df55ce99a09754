export interface EncodedBody {
  bytes: Buffer;
  contentType?: string;
}

/**
 * The upstream body from the caller's `body` (wire contract §3): JSON unless the caller's own
 * content-type says otherwise; a form content-type encodes an object as a form; with a
 * content-type of the caller's, a string goes as it is.
 */
export function encodeBody(body: unknown, callerContentType: string | undefined): EncodedBody | undefined {
  if (body === undefined || body === null) return undefined;
  const mime = (callerContentType ?? '').split(';')[0].trim().toLowerCase();
  if (callerContentType !== undefined && typeof body === 'string') return { bytes: Buffer.from(body) };
  if (mime === 'application/x-www-form-urlencoded' && typeof body === 'object') {
    const form = new URLSearchParams();
    for (const [key, value] of Object.entries(body as Record<string, unknown>)) {
      for (const item of Array.isArray(value) ? value : [value]) {
        form.append(key, typeof item === 'object' && item !== null ? JSON.stringify(item) : String(item));
      }
    }
    return { bytes: Buffer.from(form.toString()) };
  }
  return {
    bytes: Buffer.from(JSON.stringify(body)),
    ...(callerContentType === undefined && { contentType: 'application/json' }),
  };
}
