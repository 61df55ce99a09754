import type { LookupAddress } from 'node:dns';
import { createServer, type Server } from 'node:http';
import { Agent, request } from 'undici';
import { DestinationPolicy } from '../destination-policy';
import { createGuardedLookup, DESTINATION_BLOCKED, type Resolver } from './guarded-lookup';

describe(createGuardedLookup.name, () => {
  const policy = new DestinationPolicy(['127.0.0.1/32']);

  const lookupWith = (answers: LookupAddress[][]) => {
    const calls: string[] = [];
    const resolver: Resolver = (hostname, callback) => {
      calls.push(hostname);
      callback(null, answers[Math.min(calls.length - 1, answers.length - 1)]);
    };
    return { lookup: createGuardedLookup(policy, resolver), calls };
  };

  const run = (lookup: ReturnType<typeof createGuardedLookup>, all: boolean) =>
    new Promise<{ error: NodeJS.ErrnoException | null; result: unknown }>((resolve) => {
      lookup('api.test', { all }, (error, address, family) =>
        resolve({ error, result: all ? address : { address, family } }),
      );
    });

  it('passes allowed addresses in both callback shapes', async () => {
    const { lookup } = lookupWith([[{ address: '127.0.0.1', family: 4 }]]);
    expect(await run(lookup, false)).toEqual({ error: null, result: { address: '127.0.0.1', family: 4 } });
    expect(await run(lookup, true)).toEqual({ error: null, result: [{ address: '127.0.0.1', family: 4 }] });
  });

  it('refuses a name when any of its addresses is blocked', async () => {
    const { lookup } = lookupWith([
      [
        { address: '127.0.0.1', family: 4 },
        { address: '10.0.0.1', family: 4 },
      ],
    ]);
    const { error } = await run(lookup, true);
    expect(error?.code).toBe(DESTINATION_BLOCKED);
  });

  it('judges every resolution, so a rebinding name is refused at its second answer (S8)', async () => {
    const { lookup, calls } = lookupWith([
      [{ address: '127.0.0.1', family: 4 }],
      [{ address: '169.254.169.254', family: 4 }],
    ]);
    expect((await run(lookup, false)).error).toBeNull();
    expect((await run(lookup, false)).error?.code).toBe(DESTINATION_BLOCKED);
    expect(calls).toEqual(['api.test', 'api.test']);
  });

  describe('on a real connection', () => {
    let server: Server;
    let connections = 0;
    let port = 0;

    beforeAll(async () => {
      server = createServer((_req, res) => res.end('ok'));
      server.on('connection', () => connections++);
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.2', resolve));
      port = (server.address() as { port: number }).port;
    });

    afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

    it('never opens a socket to a name that resolves to a blocked address (S6, S12)', async () => {
      const { lookup } = lookupWith([[{ address: '127.0.0.2', family: 4 }]]);
      const agent = new Agent({ connect: { lookup } });
      await expect(request(`http://rebind.test:${port}/`, { dispatcher: agent })).rejects.toMatchObject({
        code: DESTINATION_BLOCKED,
      });
      expect(connections).toBe(0);
      await agent.close();
    });
  });
});
