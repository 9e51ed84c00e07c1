import { formatRegistryKey, parseRegistryKey } from './registry-key';

/**
 * Registries by host. `<account>.dkr.ecr.<region>.<domain>[:port]` addresses that registry; any other
 * host addresses the default registry. Repository URIs are built so that `docker push` of the URI, as
 * given, reaches the same registry.
 */
const ECR_HOST = /^([0-9]{12})\.dkr\.ecr\.([a-z0-9-]+)\.([^:]+)(:\d+)?$/;

export function registryFromHost(host: string | undefined, defaultRegistry: string): string {
  const match = host === undefined ? null : ECR_HOST.exec(host.toLowerCase());
  return match ? formatRegistryKey({ account: match[1] as string, region: match[2] as string }) : defaultRegistry;
}

/** The host a client should use for a registry, given the host it used to reach us. */
export function registryHost(registryKey: string, requestHost: string, defaultRegistry: string, domain: string): string {
  const match = ECR_HOST.exec(requestHost.toLowerCase());
  if (!match && registryKey === defaultRegistry) return requestHost;
  const { account, region } = parseRegistryKey(registryKey);
  const port = match ? (match[4] ?? '') : (/:\d+$/.exec(requestHost)?.[0] ?? '');
  return `${account}.dkr.ecr.${region}.${match ? match[3] : domain}${port}`;
}
