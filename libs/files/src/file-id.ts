import { generatePrefixedId, prefixedIdPattern } from '@app/database';

const PREFIX = 'file_';
const SHAPE = prefixedIdPattern(PREFIX);

/** `file_` + 22 base62 characters holding 128 bits from the CSPRNG. */
export function generateFileId(): string {
  return generatePrefixedId(PREFIX);
}

export function isFileId(id: string): boolean {
  return SHAPE.test(id);
}
