import { apiKeyHint, generateApiKey, hashApiKey, passesChecksum } from './api-key-format';

describe('API key format', () => {
  it('generates ak_ + 38 base62 characters, different every time', () => {
    const keys = new Set(Array.from({ length: 1000 }, generateApiKey));
    expect(keys.size).toBe(1000);
    for (const key of keys) expect(key).toMatch(/^ak_[0-9A-Za-z]{38}$/);
  });

  it('catches every one-character typo of a generated key with its checksum (K1)', () => {
    const key = generateApiKey();
    expect(passesChecksum(key)).toBe(true);
    for (let i = 3; i < key.length; i++) {
      const typo = `${key.slice(0, i)}${key[i] === 'a' ? 'b' : 'a'}${key.slice(i + 1)}`;
      expect({ i, passes: passesChecksum(typo) }).toEqual({ i, passes: false });
    }
  });

  it('leaves keys of another shape (operator-chosen bootstrap keys) to the lookup', () => {
    expect(passesChecksum('my-own-bootstrap-key-0123456789')).toBe(true);
  });

  it('hashes with SHA-256 and hints with the first three and last four characters only', () => {
    expect(hashApiKey('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    expect(apiKeyHint('ak_0123456789abcdefWXYZ')).toBe('ak_…WXYZ');
  });
});
