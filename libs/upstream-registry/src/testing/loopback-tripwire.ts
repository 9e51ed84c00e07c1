import type { LookupAddress } from 'node:dns';
import net from 'node:net';

type Lookup = (hostname: string, options: object, callback: (error: Error | null, address: string | LookupAddress[], family?: number) => void) => void;
type Connect = (this: net.Socket, ...args: unknown[]) => net.Socket;

function isLoopback(address: string): boolean {
  const bare = address.replace(/^\[|\]$/g, '').replace(/^::ffff:/i, '');
  return bare === '::1' || bare === 'localhost' || (net.isIPv4(bare) && bare.startsWith('127.'));
}

/**
 * A safety net for specs of the SSRF guard: while installed, a socket may only connect to a loopback
 * address. Every connect's `lookup` result (and every literal host) is checked after the code under test
 * had its say, so even a broken guard fails its spec with `loopback tripwire` instead of sending a
 * packet to 169.254.169.254 or a private network. Returns the function that removes it.
 */
export function installLoopbackTripwire(): () => void {
  const original = net.Socket.prototype.connect as unknown as Connect;
  const guarded: Connect = function (this: net.Socket, ...args: unknown[]) {
    const [first] = args;
    const options = (Array.isArray(first) ? first[0] : first) as { host?: string; path?: string | null; lookup?: Lookup } | undefined;
    if (options !== undefined && typeof options === 'object' && typeof options.path !== 'string') {
      const host = options.host ?? 'localhost';
      if (net.isIP(host.replace(/^\[|\]$/g, '')) !== 0 && !isLoopback(host)) throw new Error(`loopback tripwire: connect to ${host}`);
      const inner = options.lookup;
      if (inner !== undefined) {
        options.lookup = (hostname, lookupOptions, callback) =>
          inner(hostname, lookupOptions, (error, address, family) => {
            const addresses = typeof address === 'string' ? [address] : address.map((entry) => entry.address);
            const outside = error === null ? addresses.find((candidate) => candidate !== '' && !isLoopback(candidate)) : undefined;
            if (outside !== undefined) return callback(new Error(`loopback tripwire: ${hostname} resolved to ${outside}`), '');
            callback(error, address, family);
          });
      }
    }
    return original.apply(this, args);
  };
  net.Socket.prototype.connect = guarded as unknown as typeof net.Socket.prototype.connect;
  return () => {
    net.Socket.prototype.connect = original as unknown as typeof net.Socket.prototype.connect;
  };
}
