import { FileLinkSigner } from './file-link-signer';

describe(FileLinkSigner.name, () => {
  const signer = new FileLinkSigner(Buffer.from('a-test-secret-of-at-least-32-characters'));
  const id = 'file_0123456789ABCDEFGHIJKL';

  it('verifies its own signature', () => {
    const signature = signer.sign(id, 1_900_000_000);
    expect(signature).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(signer.verify(id, '1900000000', signature)).toBe(true);
  });

  it('refuses a changed id, expiry or signature', () => {
    const signature = signer.sign(id, 1_900_000_000);
    expect(signer.verify(`${id.slice(0, -1)}M`, '1900000000', signature)).toBe(false);
    expect(signer.verify(id, '1900000001', signature)).toBe(false);
    const flipped = (signature[0] === 'A' ? 'B' : 'A') + signature.slice(1);
    expect(signer.verify(id, '1900000000', flipped)).toBe(false);
  });

  it('refuses a signature made with another secret', () => {
    const other = new FileLinkSigner(Buffer.from('another-secret-of-at-least-32-characters'));
    expect(signer.verify(id, '1900000000', other.sign(id, 1_900_000_000))).toBe(false);
  });

  it('treats malformed parts as a mismatch instead of throwing', () => {
    const signature = signer.sign(id, 1_900_000_000);
    expect(signer.verify(id, '19e8', signature)).toBe(false);
    expect(signer.verify(id, '', signature)).toBe(false);
    expect(signer.verify(id, '1900000000', signature.slice(0, 20))).toBe(false);
    expect(signer.verify(id, '1900000000', `${signature}=`)).toBe(false);
  });

  it('keeps the id and the expiry apart in the signed message', () => {
    expect(signer.sign('file_a', 12)).not.toBe(signer.sign('file_a1', 2));
  });
});
