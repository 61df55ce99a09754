import { ConnectedAccountCache, type ResolvedAccount } from './connected-account-cache';

const account = (id: string): ResolvedAccount => ({
  id,
  projectId: 'p1',
  toolkitSlug: 'github',
  userId: 'default',
  baseUrl: 'https://api.github.com',
  authScheme: 'NO_AUTH',
  credentials: {},
  allowedHosts: [],
  status: 'ACTIVE',
});

describe(ConnectedAccountCache.name, () => {
  it('serves an entry until its TTL runs out', () => {
    const cache = new ConnectedAccountCache(1000);
    cache.set('p1:a', account('a'), cache.currentGeneration, 0);
    expect(cache.get('p1:a', 999)?.id).toBe('a');
    expect(cache.get('p1:a', 1000)).toBeUndefined();
  });

  it('drops an account and its project default slot on invalidation, not other projects', () => {
    const cache = new ConnectedAccountCache(60_000);
    const g = cache.currentGeneration;
    cache.set('p1:a', account('a'), g);
    cache.set('p1:b', account('b'), g);
    cache.set('p1:default', account('b'), g);
    cache.set('p2:default', account('c'), g);
    cache.invalidate('p1:a');
    expect(cache.get('p1:a')).toBeUndefined();
    expect(cache.get('p1:default')).toBeUndefined();
    expect(cache.get('p1:b')?.id).toBe('b');
    expect(cache.get('p2:default')?.id).toBe('c');
  });

  it('does not store a lookup that raced an invalidation', () => {
    const cache = new ConnectedAccountCache(60_000);
    const before = cache.currentGeneration;
    cache.invalidate('p1:a');
    cache.set('p1:a', account('a'), before);
    expect(cache.get('p1:a')).toBeUndefined();
  });

  it('stays bounded, dropping the oldest entry', () => {
    const cache = new ConnectedAccountCache(60_000, 2);
    const g = cache.currentGeneration;
    cache.set('p1:a', account('a'), g);
    cache.set('p1:b', account('b'), g);
    cache.set('p1:c', account('c'), g);
    expect(cache.get('p1:a')).toBeUndefined();
    expect(cache.get('p1:c')?.id).toBe('c');
  });
});
