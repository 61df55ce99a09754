import { generateConnectedAccountId, isConnectedAccountId } from './connected-account-id';
import { decodeCursor, encodeCursor } from './list-cursor';

describe('connected account ids', () => {
  it('are ca_ + 22 base62 characters and never repeat', () => {
    const ids = new Set(Array.from({ length: 5000 }, generateConnectedAccountId));
    expect(ids.size).toBe(5000);
    for (const id of ids) expect(id).toMatch(/^ca_[0-9A-Za-z]{22}$/);
    expect(isConnectedAccountId('ca_short')).toBe(false);
    expect(isConnectedAccountId(`ca_${'a'.repeat(22)}/x`)).toBe(false);
  });

  it('use the whole alphabet (no bias towards a few characters)', () => {
    const counts = new Map<string, number>();
    for (let i = 0; i < 2000; i++) {
      for (const c of generateConnectedAccountId().slice(4)) counts.set(c, (counts.get(c) ?? 0) + 1);
    }
    expect(counts.size).toBe(62);
  });
});

describe('list cursors', () => {
  it('round-trip a position exactly', () => {
    const position = { createdAt: new Date('2026-01-02T03:04:05.678Z'), id: generateConnectedAccountId() };
    expect(decodeCursor(encodeCursor(position))).toEqual(position);
  });

  it.each([
    'garbage',
    '',
    Buffer.from('[1,2]').toString('base64url'),
    Buffer.from('["2026-01-01T00:00:00.000Z","ca_x"]').toString('base64url'),
    Buffer.from(`["yesterday","ca_${'a'.repeat(22)}"]`).toString('base64url'),
    Buffer.from(`["2026-01-01T00:00:00.000Z","ca_${'a'.repeat(22)}",3]`).toString('base64url'),
  ])('refuse a cursor this API did not hand out: %s', (cursor) => {
    expect(decodeCursor(cursor)).toBeUndefined();
  });
});
