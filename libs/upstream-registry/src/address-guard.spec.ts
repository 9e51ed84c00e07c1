import type { LookupAddress } from 'node:dns';
import { forbiddenAddressReason, guardedLookup } from './address-guard';
import { createUpstreamClient, isUpstreamRegistry, UpstreamRefusedError } from './index';
import { installLoopbackTripwire } from './testing';

const forbidden = [
  '169.254.169.254',
  '10.0.0.1',
  '172.16.5.4',
  '192.168.1.1',
  '127.0.0.1',
  '100.64.0.1',
  '0.0.0.0',
  '224.0.0.1',
  '255.255.255.255',
  '::1',
  '::',
  'fe80::1',
  'fc00::1',
  'fd12:3456::1',
  'ff02::1',
  '::ffff:127.0.0.1',
  '::ffff:169.254.169.254',
  '::ffff:10.0.0.1',
  '64:ff9b::a00:1',
  '2002:a00:1::1',
];

describe('forbiddenAddressReason', () => {
  it.each(forbidden)('refuses %s', (address) => {
    expect(forbiddenAddressReason(address)).toEqual(expect.any(String));
  });

  it.each(['93.184.216.34', '8.8.8.8', '2606:4700:4700::1111', '::ffff:93.184.216.34'])('allows the global unicast address %s', (address) => {
    expect(forbiddenAddressReason(address)).toBeUndefined();
  });

  it('refuses what is not an address', () => {
    expect(forbiddenAddressReason('registry.example')).toMatch(/not an IP address/);
  });
});

describe('guardedLookup', () => {
  function lookUp(addresses: string[], allowPrivate: boolean, all: boolean): Promise<{ error: Error | null; result: string | LookupAddress[] }> {
    const lookup = guardedLookup(async () => addresses, allowPrivate);
    return new Promise((resolve) => lookup('registry.example', { all }, (error, result) => resolve({ error, result })));
  }

  it('passes public addresses on, in the shape net asks for', async () => {
    await expect(lookUp(['93.184.216.34', '2606:4700::1'], false, true)).resolves.toEqual({
      error: null,
      result: [
        { address: '93.184.216.34', family: 4 },
        { address: '2606:4700::1', family: 6 },
      ],
    });
    await expect(lookUp(['93.184.216.34'], false, false)).resolves.toEqual({ error: null, result: '93.184.216.34' });
  });

  it('refuses the whole name when any address is forbidden (DNS rebinding, mixed answers)', async () => {
    const { error } = await lookUp(['93.184.216.34', '169.254.169.254'], false, true);

    expect(error).toBeInstanceOf(UpstreamRefusedError);
  });

  it('allows private addresses for an insecure upstream', async () => {
    await expect(lookUp(['10.0.0.1'], true, false)).resolves.toEqual({ error: null, result: '10.0.0.1' });
  });
});

describe('the SSRF guard in the client', () => {
  // Should the guard ever break, the tripwire (not the network) stops the connection.
  let removeTripwire: () => void;
  beforeAll(() => (removeTripwire = installLoopbackTripwire()));
  afterAll(() => removeTripwire());

  it.each(['169.254.169.254', '10.0.0.1', '::ffff:127.0.0.1', 'fe80::1', '192.168.0.10', '100.100.100.200'])(
    'refuses a registry name resolving to %s before connecting',
    async (address) => {
      const resolve = jest.fn(async () => [address]);
      const client = createUpstreamClient({ registry: 'registry.example', insecure: false }, { resolve, timeoutMs: 1000 });

      await expect(client.getManifest('library/alpine', 'latest')).rejects.toBeInstanceOf(UpstreamRefusedError);
      await expect(client.check()).resolves.toMatchObject({
        reachable: false,
        authenticated: false,
        refused: true,
        failure: expect.stringContaining('refusing'),
      });
      expect(resolve).toHaveBeenCalledWith('registry.example');
    },
  );

  it.each(['169.254.169.254', '10.0.0.1', '[::ffff:a9fe:a9fe]', '[fe80::1]', '127.0.0.1:5000'])(
    'refuses the literal address %s without resolving it',
    async (registry) => {
      const resolve = jest.fn(async () => ['93.184.216.34']);
      const client = createUpstreamClient({ registry, insecure: false }, { resolve });

      await expect(client.openBlob('library/alpine', `sha256:${'a'.repeat(64)}`)).rejects.toBeInstanceOf(UpstreamRefusedError);
      expect(resolve).not.toHaveBeenCalled();
    },
  );

  it.each(['registry.example/path', 'user@registry.example', 'registry.example?x', 'http://registry.example', '', 'registry.example:99999'])(
    'refuses a registry that is not host[:port]: %s',
    (registry) => {
      expect(() => createUpstreamClient({ registry, insecure: false })).toThrow(UpstreamRefusedError);
      expect(isUpstreamRegistry(registry)).toBe(false);
    },
  );
});

describe('isUpstreamRegistry', () => {
  it.each(['registry-1.docker.io', 'ghcr.io', '127.0.0.1:5001', 'harbor.example.com:8443', '[::1]:5000'])('accepts %s', (registry) => {
    expect(isUpstreamRegistry(registry)).toBe(true);
  });
});
