import fs, { closeSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { linesPerTurn } from './request-logging';

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
