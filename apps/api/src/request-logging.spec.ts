import fs, { closeSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { pino } from 'pino';
import { linesPerTurn, RequestLogController } from './request-logging';

describe(linesPerTurn.name, () => {
  let dir: string;
  let file: string;
  let fd: number;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'lines-per-turn-'));
    file = join(dir, 'out.log');
    fd = openSync(file, 'w');
  });
  afterEach(() => {
    jest.restoreAllMocks();
    closeSync(fd);
    rmSync(dir, { recursive: true, force: true });
  });

  it('writes the lines of one turn together, once the turn is over', async () => {
    const writes = jest.spyOn(fs, 'writeSync');
    const destination = linesPerTurn(fd);
    destination.write('{"a":1}\n');
    destination.write('{"b":2}\n');
    destination.write('{"c":3}\n');
    expect(readFileSync(file, 'utf8')).toBe('');
    await new Promise(setImmediate);
    expect(readFileSync(file, 'utf8')).toBe('{"a":1}\n{"b":2}\n{"c":3}\n');
    expect(writes.mock.calls.filter(([target]) => target === fd)).toHaveLength(1);

    destination.write('{"d":4}\n');
    await new Promise(setImmediate);
    expect(readFileSync(file, 'utf8')).toBe('{"a":1}\n{"b":2}\n{"c":3}\n{"d":4}\n');
  });

  it('writes early once a turn has gathered 16 KiB, and the rest at the end of the turn', async () => {
    const destination = linesPerTurn(fd);
    const line = `${JSON.stringify({ pad: 'x'.repeat(1013) })}\n`; // 1 KiB
    for (let i = 0; i < 20; i++) destination.write(line);
    expect(readFileSync(file, 'utf8')).toBe(line.repeat(16));
    await new Promise(setImmediate);
    expect(readFileSync(file, 'utf8')).toBe(line.repeat(20));
  });

  it('writes what is pending when the process exits', () => {
    const before = new Set(process.listeners('exit'));
    const destination = linesPerTurn(fd);
    const onExit = process.listeners('exit').find((listener) => !before.has(listener));
    expect(onExit).toBeDefined();
    process.removeListener('exit', onExit!);
    destination.write('{"last":true}\n');
    onExit!(0);
    expect(readFileSync(file, 'utf8')).toBe('{"last":true}\n');
  });
});

describe(RequestLogController.name, () => {
  const capture = () => {
    const lines: string[] = [];
    return { lines, destination: { write: (line: string) => void lines.push(line) } };
  };
  const request = (url: string, principal?: { projectId: string }) =>
    ({
      id: 'req-1',
      method: 'POST',
      url,
      routeOptions: { url: '/api/v3/tools/execute/proxy' },
      principal,
    }) as unknown as FastifyRequest;
  const reply = (statusCode: number) => ({ statusCode, elapsedTime: 12.345 }) as unknown as FastifyReply;

  it("writes pino's own line for the request, without the query string", () => {
    const ours = capture();
    const logger = pino({ level: 'info' }, ours.destination);
    new RequestLogController(logger, ours.destination).requestCompleted(
      null,
      request('/api/v3/tools/execute/proxy?token=secret', { projectId: 'p1' }),
      reply(200),
    );
    const theirs = capture();
    pino({ level: 'info' }, theirs.destination).child({ request_id: 'req-1' }).info(
      {
        method: 'POST',
        route: '/api/v3/tools/execute/proxy',
        path: '/api/v3/tools/execute/proxy',
        status: 200,
        duration_ms: 12.3,
        project_id: 'p1',
      },
      'POST /api/v3/tools/execute/proxy 200',
    );
    expect(ours.lines).toHaveLength(1);
    expect(ours.lines[0].endsWith('\n')).toBe(true);
    expect(ours.lines[0]).not.toContain('secret');
    const { time, ...line } = JSON.parse(ours.lines[0]) as Record<string, unknown>;
    const { time: _time, ...expected } = JSON.parse(theirs.lines[0]) as Record<string, unknown>;
    expect(typeof time).toBe('number');
    expect(line).toEqual(expected);
    expect(Object.keys(line)).toEqual(Object.keys(expected));
  });

  it("follows the logger's level: errors and 5xx at error, the rest at info", () => {
    const ours = capture();
    const logger = pino({ level: 'warn' }, ours.destination);
    const controller = new RequestLogController(logger, ours.destination);
    controller.requestCompleted(null, request('/x'), reply(200));
    expect(ours.lines).toHaveLength(0);
    controller.requestCompleted(null, request('/x'), reply(502));
    controller.requestCompleted(new Error('boom'), request('/x'), reply(200));
    expect(ours.lines.map((line) => (JSON.parse(line) as { level: number }).level)).toEqual([50, 50]);
    expect(JSON.parse(ours.lines[0])).not.toHaveProperty('project_id');
  });
});
