// Control characters would split a header; the rest mean something to file systems or shells.
// eslint-disable-next-line no-control-regex
const UNSAFE = /[\u0000-\u001f\u007f"\\/:*?<>|]/g;

/**
 * The file name an upstream gave in `content-disposition` (`filename*=UTF-8''…` preferred over
 * `filename=`), reduced to a safe base name: no directories, quotes, control characters or
 * separators, at most 255 characters. Null when there is none.
 */
export function fileNameFromDisposition(header: string | undefined): string | null {
  if (!header) return null;
  let name: string | undefined;
  const extended = /filename\*\s*=\s*(?:UTF-8|utf-8)''([^;]+)/.exec(header);
  if (extended) {
    try {
      name = decodeURIComponent(extended[1].trim());
    } catch {
      name = undefined;
    }
  }
  if (name === undefined) {
    const plain = /(?:^|;)\s*filename\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^;]*))/i.exec(header);
    if (plain) name = plain[1] !== undefined ? plain[1].replace(/\\(.)/g, '$1') : plain[2].trim();
  }
  if (name === undefined) return null;
  const base = name.split(/[\\/]/).pop() ?? '';
  const cleaned = base.replace(UNSAFE, '_').trim().replace(/^\.+/, '').slice(0, 255);
  return cleaned === '' ? null : cleaned;
}

/** `attachment`, with the name as an ASCII fallback and RFC 8187 UTF-8 form when there is one. */
export function attachmentDisposition(fileName: string | null): string {
  if (fileName === null) return 'attachment';
  const ascii = fileName.replace(/[^\x20-\x7e]/g, '_');
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(fileName)}`;
}
