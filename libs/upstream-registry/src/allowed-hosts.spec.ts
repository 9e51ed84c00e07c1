import { isAllowedHost } from './allowed-hosts';

describe('isAllowedHost', () => {
  const allowed = (url: string, list: readonly string[] = []) => isAllowedHost(new URL(url), 'registry.example', list);

  it("allows the registry's own host name on any port", () => {
    expect(allowed('https://registry.example/token')).toBe(true);
    expect(allowed('https://registry.example:8443/token')).toBe(true);
  });

  it('allows listed hosts by name or by host:port', () => {
    expect(allowed('https://auth.docker.io/token', ['auth.docker.io'])).toBe(true);
    expect(allowed('https://storage.example:9000/b', ['storage.example:9000'])).toBe(true);
    expect(allowed('https://storage.example:9001/b', ['storage.example:9000'])).toBe(false);
  });

  it('allows subdomains of a *.suffix entry, not the suffix itself nor look-alikes', () => {
    const list = ['*.blob.core.windows.net'];
    expect(allowed('https://acct.blob.core.windows.net/x', list)).toBe(true);
    expect(allowed('https://blob.core.windows.net/x', list)).toBe(false);
    expect(allowed('https://evilblob.core.windows.net/x', list)).toBe(false);
  });

  it('refuses every other host, including subdomains of the registry', () => {
    expect(allowed('https://169.254.169.254/latest')).toBe(false);
    expect(allowed('https://auth.registry.example/token')).toBe(false);
  });
});
