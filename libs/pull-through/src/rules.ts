import type { PullThroughCacheRuleRecord } from '@cargohold/storage-ports';
import { UnsupportedUpstreamRegistryError } from './errors';

export const ROOT = 'ROOT';

/**
 * ECR's upstream registries and the URL each takes
 * (https://docs.aws.amazon.com/AmazonECR/latest/APIReference/API_CreatePullThroughCacheRule.html), and
 * whether ECR requires a credentialArn for it.
 */
export const UPSTREAM_REGISTRIES: Readonly<Record<string, { url: RegExp; credentials: boolean }>> = {
  ecr: { url: /^[0-9]{12}\.dkr\.ecr\.[a-z0-9-]+\.amazonaws\.com$/, credentials: false },
  'ecr-public': { url: /^public\.ecr\.aws$/, credentials: false },
  'docker-hub': { url: /^registry-1\.docker\.io$/, credentials: true },
  'github-container-registry': { url: /^ghcr\.io$/, credentials: true },
  'gitlab-container-registry': { url: /^registry\.gitlab\.com$/, credentials: true },
  k8s: { url: /^registry\.k8s\.io$/, credentials: false },
  'azure-container-registry': { url: /^[a-z0-9-]+\.azurecr\.io$/, credentials: true },
  quay: { url: /^quay\.io$/, credentials: false },
  chainguard: { url: /^cgr\.dev$/, credentials: false },
};

/** `team/` and `team` are the same prefix: ECR always assumes the trailing slash. */
export const normalizePrefix = (prefix: string): string => (prefix === ROOT ? ROOT : prefix.replace(/\/$/, ''));

/** `host[:port]`, as ECR takes it: no scheme, no path, no user info. */
const HOST_PORT = /^(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*(?::[0-9]{1,5})?$|^\[[0-9a-f:.]+\](?::[0-9]{1,5})?$/;

/**
 * The upstreamRegistry a rule is stored with: the one named (its URL must fit it), else the one the URL
 * is recognised as, else none — cargohold's extension: any OCI registry at `host[:port]`.
 */
export function classifyUpstream(url: string, named: string | undefined, credentialArn: string | undefined): string | undefined {
  if (!HOST_PORT.test(url)) throw new UnsupportedUpstreamRegistryError(`The upstream registry URL '${url}' is not a host[:port]`);
  const registry = named ?? Object.entries(UPSTREAM_REGISTRIES).find(([, known]) => known.url.test(url))?.[0];
  if (registry === undefined) return undefined;
  const known = UPSTREAM_REGISTRIES[registry];
  if (!known) throw new UnsupportedUpstreamRegistryError(`The upstream registry '${registry}' is not supported`);
  if (!known.url.test(url)) throw new UnsupportedUpstreamRegistryError(`The upstream registry URL '${url}' does not match the upstream registry '${registry}'`);
  if (known.credentials && credentialArn === undefined) {
    throw new UnsupportedUpstreamRegistryError(`The upstream registry '${registry}' requires a credentialArn`);
  }
  return registry;
}

export interface RuleMatch {
  readonly rule: PullThroughCacheRuleRecord;
  /** The repository on the upstream that the local repository mirrors. */
  readonly upstreamRepository: string;
}

/**
 * The rule covering a repository name: the longest prefix whose namespace holds the name (`team` covers
 * `team/app`, never `team` itself nor `teams/app`); `ROOT` covers every name no other rule covers. The
 * upstream repository is `<upstreamRepositoryPrefix>/<rest>`, or `<rest>` for a `ROOT` upstream prefix.
 */
export function matchRule(rules: readonly PullThroughCacheRuleRecord[], name: string): RuleMatch | undefined {
  let best: { rule: PullThroughCacheRuleRecord; rest: string; length: number } | undefined;
  for (const rule of rules) {
    const prefix = rule.ecrRepositoryPrefix;
    const rest = prefix === ROOT ? name : name.startsWith(`${prefix}/`) ? name.slice(prefix.length + 1) : undefined;
    const length = prefix === ROOT ? 0 : prefix.length;
    if (rest !== undefined && (!best || length > best.length)) best = { rule, rest, length };
  }
  if (!best) return undefined;
  const upstream = best.rule.upstreamRepositoryPrefix;
  return { rule: best.rule, upstreamRepository: upstream === ROOT ? best.rest : `${upstream}/${best.rest}` };
}
