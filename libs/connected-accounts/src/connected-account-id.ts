import { generatePrefixedId, prefixedIdPattern } from '@app/database';

const PREFIX = 'ca_';
const SHAPE = prefixedIdPattern(PREFIX);

/** `ca_` + 22 base62 characters holding 128 bits from the CSPRNG: not guessable, not enumerable. */
export function generateConnectedAccountId(): string {
  return generatePrefixedId(PREFIX);
}

/** Ids of any other shape cannot exist, so they are answered as unknown without a query. */
export function isConnectedAccountId(id: string): boolean {
  return SHAPE.test(id);
}
