import ipaddr from 'ipaddr.js';
import { DestinationPolicy, ipLiteralOf } from './destination-policy';

describe(DestinationPolicy.name, () => {
  const policy = new DestinationPolicy();

  it.each([
    '127.0.0.1',
    '127.255.255.254',
    '10.1.2.3',
    '172.16.0.1',
    '172.31.255.255',
    '192.168.0.1',
    '169.254.169.254',
    '100.64.0.1',
    '0.0.0.0',
    '0.1.2.3',
    '224.0.0.1',
    '255.255.255.255',
    '::1',
    '::',
    'fc00::1',
    'fd00:ec2::254',
    'fe80::1',
    'ff02::1',
    '::ffff:127.0.0.1',
    '::ffff:a9fe:a9fe',
    '::ffff:10.0.0.1',
    '64:ff9b::a9fe:a9fe',
    '64:ff9b::7f00:1',
    '2002:7f00:1::1',
    '2001:0:4136:e378:8000:63bf:3fff:fdd2',
    'not-an-ip',
  ])('refuses %s', (address) => {
    expect(policy.isAllowed(address)).toBe(false);
  });

  it.each(['8.8.8.8', '1.1.1.1', '2606:4700:4700::1111', '::ffff:8.8.8.8', '64:ff9b::808:808'])(
    'allows public unicast %s',
    (address) => {
      expect(policy.isAllowed(address)).toBe(true);
    },
  );

  it('allows an operator-listed CIDR, including its IPv4-mapped form, and nothing next to it', () => {
    const loopbackOnly = new DestinationPolicy(['127.0.0.0/8']);
    expect(loopbackOnly.isAllowed('127.0.0.3')).toBe(true);
    expect(loopbackOnly.isAllowed('::ffff:127.0.0.1')).toBe(true);
    expect(loopbackOnly.isAllowed('10.0.0.1')).toBe(false);
    expect(loopbackOnly.isAllowed('::1')).toBe(false);
  });

  it('agrees with ipaddr.js ranges on every IPv4 /8 block (differential)', () => {
    for (let a = 0; a < 256; a++) {
      for (const tail of ['0.0.1', '1.2.3', '255.255.254']) {
        const address = `${a}.${tail}`;
        const expected = ipaddr.parse(address).range() === 'unicast';
        expect({ address, allowed: policy.isAllowed(address) }).toEqual({ address, allowed: expected });
      }
    }
  });
});

describe('ipLiteralOf', () => {
  it('recognises IPv4 and bracketed IPv6 hosts and leaves names alone', () => {
    expect(ipLiteralOf('127.0.0.1')).toBe('127.0.0.1');
    expect(ipLiteralOf('[::1]')).toBe('::1');
    expect(ipLiteralOf('api.github.com')).toBeNull();
  });
});

describe('DestinationPolicy.refusedLiteral', () => {
  it('names a refused IP literal host and passes names and allowed literals', () => {
    const loopbackOnly = new DestinationPolicy(['127.0.0.0/8']);
    expect(loopbackOnly.refusedLiteral('[::1]')).toBe('::1');
    expect(loopbackOnly.refusedLiteral('10.0.0.1')).toBe('10.0.0.1');
    expect(loopbackOnly.refusedLiteral('127.0.0.1')).toBeNull();
    expect(loopbackOnly.refusedLiteral('8.8.8.8')).toBeNull();
    expect(loopbackOnly.refusedLiteral('localhost')).toBeNull();
  });
});
