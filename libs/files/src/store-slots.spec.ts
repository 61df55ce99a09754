import { EventEmitter } from 'node:events';
import { PassThrough } from 'node:stream';
import { StoreSlots } from './store-slots';

const turn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe(StoreSlots.name, () => {
  it('grants up to the limit at once, then one per release, in arrival order', async () => {
    const slots = new StoreSlots(2);
    const granted: string[] = [];
    const releases = new Map<string, () => void>();
    for (const name of ['a', 'b', 'c', 'd']) {
      void slots.acquire().then((release) => {
        granted.push(name);
        releases.set(name, release);
      });
    }
    await turn();
    expect(granted).toEqual(['a', 'b']);

    releases.get('b')!();
    await turn();
    expect(granted).toEqual(['a', 'b', 'c']);

    // Releasing twice frees one slot only.
    releases.get('b')!();
    await turn();
    expect(granted).toEqual(['a', 'b', 'c']);
    expect(slots.inUse).toBe(2);

    releases.get('a')!();
    await turn();
    expect(granted).toEqual(['a', 'b', 'c', 'd']);
  });

  it('lets a body that fails while waiting give up its place with its own error', async () => {
    const slots = new StoreSlots(1);
    const first = await slots.acquire();
    const body = new PassThrough();
    const waiting = slots.acquire(body);
    const next = slots.acquire();

    body.destroy(new Error('deadline'));
    await expect(waiting).rejects.toThrow('deadline');

    first();
    const release = await next;
    expect(slots.inUse).toBe(1);
    release();
    expect(slots.inUse).toBe(0);
  });

  it('gives up the place when the deadline passes, destroying the unread body', async () => {
    const slots = new StoreSlots(1);
    const first = await slots.acquire();
    const deadline = Object.assign(new EventEmitter(), { aborted: false });
    const body = new PassThrough();
    body.end(Buffer.from('complete, never read'));
    const waiting = slots.acquire(body, deadline);

    deadline.aborted = true;
    deadline.emit('abort');
    await expect(waiting).rejects.toThrow('deadline passed while waiting to store the answer');
    expect(body.destroyed).toBe(true);
    expect(deadline.listenerCount('abort')).toBe(0);

    first();
    expect(slots.inUse).toBe(0);
    await expect(slots.acquire(undefined, deadline)).rejects.toThrow('deadline passed');
  });

  it('does not count a granted body that closes later', async () => {
    const slots = new StoreSlots(1);
    const body = new PassThrough();
    const release = await slots.acquire(body);
    body.destroy();
    await turn();
    expect(slots.inUse).toBe(1);
    release();
    expect(slots.inUse).toBe(0);
  });
});
