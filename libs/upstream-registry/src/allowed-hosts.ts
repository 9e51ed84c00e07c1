/**
 * Whether a token realm or a redirect may lead to `url`: the registry's own host name (any port: token
 * services often run beside the registry), or an entry of `allowRedirectHosts`, which is a host name,
 * `host:port`, or `*.suffix` for any subdomain of `suffix` (e.g. `*.blob.core.windows.net`, where Azure
 * registries redirect blob GETs).
 */
export function isAllowedHost(url: URL, registryHostname: string, allowed: readonly string[]): boolean {
  if (url.hostname === registryHostname) return true;
  return allowed.some((entry) => {
    const pattern = entry.toLowerCase();
    if (pattern.startsWith('*.')) return url.hostname.endsWith(pattern.slice(1)) && url.hostname.length > pattern.length - 1;
    return pattern === url.host || pattern === url.hostname;
  });
}
