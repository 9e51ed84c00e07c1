import { UpstreamRefusedError } from './errors';
import { Transport } from './transport';

describe('Transport.assertAllowed', () => {
  const resolve = jest.fn(async () => ['93.184.216.34']);
  const secure = new Transport({ insecure: false, resolve, timeoutMs: 1000 });
  const insecure = new Transport({ insecure: true, resolve, timeoutMs: 1000 });
  afterAll(() => {
    secure.close();
    insecure.close();
  });

  it('allows https to a name, to be checked again when it resolves', () => {
    expect(() => secure.assertAllowed(new URL('https://registry.example/v2/'))).not.toThrow();
  });

  it('refuses plain http unless the upstream is insecure', () => {
    expect(() => secure.assertAllowed(new URL('http://registry.example/v2/'))).toThrow(UpstreamRefusedError);
    expect(() => insecure.assertAllowed(new URL('http://127.0.0.1:5000/v2/'))).not.toThrow();
  });

  it('refuses other schemes always', () => {
    expect(() => insecure.assertAllowed(new URL('file:///etc/passwd'))).toThrow(UpstreamRefusedError);
    expect(() => insecure.assertAllowed(new URL('ftp://registry.example/'))).toThrow(UpstreamRefusedError);
  });

  it('refuses forbidden literal addresses unless the upstream is insecure', () => {
    expect(() => secure.assertAllowed(new URL('https://169.254.169.254/latest/meta-data/'))).toThrow(UpstreamRefusedError);
    expect(() => secure.assertAllowed(new URL('https://[::ffff:7f00:1]/'))).toThrow(UpstreamRefusedError);
    expect(() => insecure.assertAllowed(new URL('https://10.0.0.1/'))).not.toThrow();
  });
});
