import type { LookupAddress, LookupAllOptions, LookupOneOptions } from 'node:dns';
import { lookup as dnsLookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import ipaddr from 'ipaddr.js';
import { UpstreamRefusedError } from './errors';

/** DNS as the client sees it: every address a host name resolves to. */
export type Resolve = (host: string) => Promise<string[]>;

export const systemResolve: Resolve = async (host) => (await dnsLookup(host, { all: true, verbatim: true })).map((entry) => entry.address);

/**
 * Why an upstream may not be reached at `address`, or undefined when it may. Only global unicast passes:
 * loopback, link-local (169.254/16 holds the cloud metadata service, fe80::/10), private (10/8, 172.16/12,
 * 192.168/16, fc00::/7), CGNAT, unspecified, multicast, broadcast and reserved ranges are refused, and so
 * are the IPv6 forms that embed an IPv4 address (IPv4-mapped `::ffff:a.b.c.d` is judged as that IPv4
 * address; NAT64, 6to4 and Teredo, whose embedded address we cannot vouch for, are refused outright).
 */
export function forbiddenAddressReason(address: string): string | undefined {
  const bare = address.replace(/^\[|\]$/g, '');
  if (!ipaddr.isValid(bare)) return `${address} is not an IP address`;
  const range = ipaddr.process(bare).range();
  return range === 'unicast' ? undefined : `${address} is a ${range} address`;
}

type LookupCallback = (error: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void;

/**
 * A `lookup` for node's net/tls connect: it resolves with `resolve` and, when `allowPrivate` is false,
 * refuses the connection if ANY resolved address is forbidden. Checking at connect time, on the very
 * addresses the socket will use, is what defeats DNS rebinding (a name that resolved to a public address
 * during validation and to 169.254.169.254 a second later).
 */
export function guardedLookup(resolve: Resolve, allowPrivate: boolean) {
  return (hostname: string, options: LookupOneOptions | LookupAllOptions, callback: LookupCallback): void => {
    resolve(hostname).then(
      (addresses) => {
        const refusal = allowPrivate ? undefined : addresses.map(forbiddenAddressReason).find((reason) => reason !== undefined);
        if (refusal !== undefined) return callback(new UpstreamRefusedError(`refusing to connect to ${hostname}: ${refusal}`), '');
        const family = options.family === 4 || options.family === 6 ? options.family : undefined;
        const usable = addresses.map((address) => ({ address, family: isIP(address) })).filter((entry) => family === undefined || entry.family === family);
        const first = usable[0];
        if (first === undefined) return callback(Object.assign(new Error(`${hostname} has no address`), { code: 'ENOTFOUND' }), '');
        if (options.all === true) return callback(null, usable);
        return callback(null, first.address, first.family);
      },
      (error: NodeJS.ErrnoException) => callback(error, ''),
    );
  };
}

/**
 * Node never calls `lookup` for an IP literal, so a URL naming an address directly is judged here, before
 * any socket is opened.
 */
export function assertLiteralHostAllowed(hostname: string, allowPrivate: boolean): void {
  const bare = hostname.replace(/^\[|\]$/g, '');
  if (allowPrivate || isIP(bare) === 0) return;
  const refusal = forbiddenAddressReason(bare);
  if (refusal !== undefined) throw new UpstreamRefusedError(`refusing to connect to ${hostname}: ${refusal}`);
}
