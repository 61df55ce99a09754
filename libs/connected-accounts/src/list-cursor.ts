import { isConnectedAccountId } from './connected-account-id';

/** Position in the newest-first list: the last item's (created_at, id), which is unique and never changes. */
export interface ListPosition {
  createdAt: Date;
  id: string;
}

/** Opaque to clients: base64url of `[created_at ISO string, id]`. */
export function encodeCursor(position: ListPosition): string {
  return Buffer.from(JSON.stringify([position.createdAt.toISOString(), position.id])).toString('base64url');
}

/** The position, or undefined for anything this API did not hand out. */
export function decodeCursor(cursor: string): ListPosition | undefined {
  try {
    const parsed: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (!Array.isArray(parsed) || parsed.length !== 2) return undefined;
    const [createdAt, id] = parsed as unknown[];
    if (typeof createdAt !== 'string' || typeof id !== 'string' || !isConnectedAccountId(id))
      return undefined;
    const date = new Date(createdAt);
    if (Number.isNaN(date.getTime()) || date.toISOString() !== createdAt) return undefined;
    return { createdAt: date, id };
  } catch {
    return undefined;
  }
}
