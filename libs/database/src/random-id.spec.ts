import { base62, generatePrefixedId, prefixedIdPattern } from './random-id';

describe(generatePrefixedId.name, () => {
  it('makes distinct ids of exactly the advertised shape', () => {
    const ids = new Set(Array.from({ length: 2000 }, () => generatePrefixedId('ca_')));
    expect(ids.size).toBe(2000);
    for (const id of ids) expect(prefixedIdPattern('ca_').test(id)).toBe(true);
    expect(prefixedIdPattern('file_').test([...ids][0])).toBe(false);
  });
});

describe(base62.name, () => {
  it('writes the number the bytes spell, padded to the length', () => {
    expect(base62(Buffer.from([0]), 3)).toBe('000');
    expect(base62(Buffer.from([61]), 2)).toBe('0z');
    expect(base62(Buffer.from([62]), 2)).toBe('10');
    expect(base62(Buffer.from([0xff, 0xff]), 3)).toBe('H31');
  });
});
