import { UpstreamRefusedError } from './errors';

/**
 * ECR's `upstreamRegistryUrl`: `host[:port]`, nothing else (no scheme, path, user info, query). The one
 * parser for it: the rules API validates with it and the client builds its base URL with it.
 */
export function upstreamBaseUrl(registry: string, insecure: boolean): URL {
  let url: URL | undefined;
  if (/^[^/@?#\\\s]+$/.test(registry)) {
    try {
      url = new URL(`${insecure ? 'http' : 'https'}://${registry}`);
    } catch {
      url = undefined;
    }
  }
  if (url === undefined || url.hostname === '')
    throw new UpstreamRefusedError(`upstream registry must be host[:port], got ${JSON.stringify(registry.slice(0, 200))}`);
  return url;
}

/** True when `registry` is a valid `host[:port]` for an upstream. */
export function isUpstreamRegistry(registry: string): boolean {
  try {
    upstreamBaseUrl(registry, false);
    return true;
  } catch {
    return false;
  }
}
