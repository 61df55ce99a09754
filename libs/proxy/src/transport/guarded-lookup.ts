import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import type { LookupFunction } from 'node:net';
import type { DestinationPolicy } from '../destination-policy';

export const DESTINATION_BLOCKED = 'EPROXY_DESTINATION_BLOCKED';

export type Resolver = (
  hostname: string,
  callback: (error: Error | null, addresses: LookupAddress[]) => void,
) => void;

const systemResolver: Resolver = (hostname, callback) => dnsLookup(hostname, { all: true }, callback);

/**
 * The `lookup` the outbound sockets use: the policy is applied to the addresses actually dialled,
 * at connect time, so a name that resolves to a private address (or rebinds to one after a first,
 * public answer) is refused (checklist S6, S8, S12). If any address of a name is refused, all are.
 */
export function createGuardedLookup(
  policy: DestinationPolicy,
  resolve: Resolver = systemResolver,
): LookupFunction {
  return (hostname, options, callback) => {
    resolve(hostname, (error, addresses) => {
      if (error) return callback(error, '', 0);
      const family = typeof options.family === 'number' ? options.family : 0;
      const candidates = family ? addresses.filter((a) => a.family === family) : addresses;
      if (candidates.length === 0) {
        const notFound = Object.assign(new Error(`no address for ${hostname}`), { code: 'ENOTFOUND' });
        return callback(notFound, '', 0);
      }
      if (candidates.some((a) => !policy.isAllowed(a.address))) {
        const blocked = Object.assign(new Error(`destination ${hostname} resolves to a blocked address`), {
          code: DESTINATION_BLOCKED,
        });
        return callback(blocked, '', 0);
      }
      if (options.all)
        return (callback as unknown as (e: null, a: LookupAddress[]) => void)(null, candidates);
      callback(null, candidates[0].address, candidates[0].family);
    });
  };
}
