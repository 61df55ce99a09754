import { randomBytes } from 'node:crypto';
import { CredentialCipher, CredentialDecryptionError, type SealedCredentials } from './credential-cipher';

const k1 = { id: 'k1', key: randomBytes(32) };
const k2 = { id: 'k2', key: randomBytes(32) };
const binding = { projectId: '0b9c1f52-6e0a-4c4a-9d55-3f1c7c0f8a11', accountId: 'ca_AAAAAAAAAAAAAAAAAAAAAA' };
const secret = { token: 'ghp_supersecretvalue_1234' };

/** Flips one bit of one byte of a base64 field, keeping it valid base64 of the same length. */
function tamper(sealed: SealedCredentials, field: 'iv' | 'tag' | 'ct', index = 0): SealedCredentials {
  const bytes = Buffer.from(sealed[field], 'base64');
  bytes[index] ^= 0x01;
  return { ...sealed, [field]: bytes.toString('base64') };
}

describe(CredentialCipher.name, () => {
  const cipher = new CredentialCipher([k1]);

  it('opens what it sealed, and the envelope holds no plaintext', () => {
    const sealed = cipher.seal(secret, binding);
    expect(sealed).toEqual({
      v: 1,
      kid: 'k1',
      iv: expect.any(String),
      tag: expect.any(String),
      ct: expect.any(String),
    });
    expect(Buffer.from(sealed.iv, 'base64')).toHaveLength(12);
    expect(Buffer.from(sealed.tag, 'base64')).toHaveLength(16);
    expect(JSON.stringify(sealed)).not.toContain('supersecret');
    expect(cipher.open(sealed, binding)).toEqual(secret);
  });

  it.each(['iv', 'tag', 'ct'] as const)('refuses a ciphertext whose %s was tampered with', (field) => {
    const sealed = cipher.seal(secret, binding);
    const length = Buffer.from(sealed[field], 'base64').length;
    for (const index of [0, length - 1]) {
      expect(() => cipher.open(tamper(sealed, field, index), binding)).toThrow(CredentialDecryptionError);
    }
  });

  it('refuses a ciphertext moved to another account or another project', () => {
    const sealed = cipher.seal(secret, binding);
    expect(() => cipher.open(sealed, { ...binding, accountId: 'ca_BBBBBBBBBBBBBBBBBBBBBB' })).toThrow(
      CredentialDecryptionError,
    );
    expect(() =>
      cipher.open(sealed, { ...binding, projectId: '11111111-1111-4111-8111-111111111111' }),
    ).toThrow(CredentialDecryptionError);
  });

  it('refuses a relabelled key id, an unknown key id and a truncated tag', () => {
    const both = new CredentialCipher([k1, k2]);
    const sealed = both.seal(secret, binding);
    expect(() => both.open({ ...sealed, kid: 'k2' }, binding)).toThrow(CredentialDecryptionError);
    expect(() => both.open({ ...sealed, kid: 'nope' }, binding)).toThrow(/not in ENCRYPTION_KEYS/);
    const shortTag = Buffer.from(sealed.tag, 'base64').subarray(0, 8).toString('base64');
    expect(() => both.open({ ...sealed, tag: shortTag }, binding)).toThrow(CredentialDecryptionError);
  });

  it('never repeats an IV over 10,000 seals', () => {
    const ivs = new Set<string>();
    for (let i = 0; i < 10_000; i++) ivs.add(cipher.seal(secret, binding).iv);
    expect(ivs.size).toBe(10_000);
  });

  it('seals with the first key and still opens values sealed with the older ones (rotation)', () => {
    const old = new CredentialCipher([k1]).seal(secret, binding);
    const rotated = new CredentialCipher([k2, k1]);
    expect(rotated.needsRotation(old)).toBe(true);
    expect(rotated.open(old, binding)).toEqual(secret);
    const resealed = rotated.seal(rotated.open(old, binding), binding);
    expect(resealed.kid).toBe('k2');
    expect(rotated.needsRotation(resealed)).toBe(false);
    expect(new CredentialCipher([k2]).open(resealed, binding)).toEqual(secret);
    expect(() => new CredentialCipher([k2]).open(old, binding)).toThrow(CredentialDecryptionError);
  });

  it('refuses keys that are not 32 bytes and an empty key ring', () => {
    expect(() => new CredentialCipher([{ id: 'short', key: randomBytes(16) }])).toThrow(/32 bytes/);
    expect(() => new CredentialCipher([])).toThrow();
  });
});
