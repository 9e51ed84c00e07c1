import { accountOf, LimitExceededError, systemClock, type Clock } from '@cargohold/registry-core';
import {
  upstreamFailure,
  UpstreamError,
  type PullThroughCacheRuleRecord,
  type PullThroughRuleInput,
  type RegistrySettingsStore,
  type SecretStore,
  type UpstreamConnector,
  type UpstreamSource,
} from '@cargohold/storage-ports';
import { readUpstreamSecret, type UpstreamCredentials } from './credentials';
import type { EcrTokenSource } from './ecr-tokens';
import { PullThroughCacheRuleAlreadyExistsError, PullThroughCacheRuleNotFoundError, UnsupportedUpstreamRegistryError } from './errors';
import { classifyUpstream, matchRule, normalizePrefix, ROOT, type RuleMatch } from './rules';

/** ECR's quota: pull through cache rules per registry. */
export const MAX_RULES = 50;

export interface RuleAdminDeps {
  readonly registries: RegistrySettingsStore;
  readonly secrets: SecretStore;
  readonly connect: UpstreamConnector;
  /** `host[:port]`s reached over plain http, loopback and private addresses allowed (`pullThroughCache.insecureUpstreams`). */
  readonly insecureUpstreams?: readonly string[];
  /**
   * Exchanges AWS access keys (a secret holding them) for an ECR-compatible upstream's token, and, for an
   * `ecr` upstream without a secret, the caller's own role. Absent: such secrets are refused at pull time.
   */
  readonly ecrTokens?: EcrTokenSource;
  readonly clock?: Clock;
}

/** Pull-through cache rules: ECR's CRUD and validation over the RegistrySettings document. */
export class PullThroughRules {
  private readonly clock: Clock;

  constructor(private readonly deps: RuleAdminDeps) {
    this.clock = deps.clock ?? systemClock;
  }

  async create(registry: string, input: PullThroughRuleInput): Promise<PullThroughCacheRuleRecord> {
    const ecrRepositoryPrefix = normalizePrefix(input.ecrRepositoryPrefix);
    const upstreamRegistry = classifyUpstream(input.upstreamRegistryUrl, input.upstreamRegistry, input.credentialArn);
    await readUpstreamSecret(this.deps.secrets, input.credentialArn);
    await this.refuseForbiddenAddress(input.upstreamRegistryUrl);
    const now = this.clock.now().toISOString();
    const rule: PullThroughCacheRuleRecord = {
      ecrRepositoryPrefix,
      upstreamRegistryUrl: input.upstreamRegistryUrl,
      ...(upstreamRegistry !== undefined ? { upstreamRegistry } : {}),
      ...(input.credentialArn !== undefined ? { credentialArn: input.credentialArn } : {}),
      ...(input.customRoleArn !== undefined ? { customRoleArn: input.customRoleArn } : {}),
      upstreamRepositoryPrefix: normalizePrefix(input.upstreamRepositoryPrefix ?? ROOT),
      createdAt: now,
      updatedAt: now,
    };
    await this.deps.registries.update(registry, (current) => {
      const rules = current.pullThroughCacheRules ?? [];
      if (rules.some((r) => r.ecrRepositoryPrefix === ecrRepositoryPrefix)) {
        throw new PullThroughCacheRuleAlreadyExistsError(ecrRepositoryPrefix, accountOf(registry));
      }
      if (rules.length >= MAX_RULES) throw new LimitExceededError(`The maximum number of pull through cache rules (${MAX_RULES}) has been reached`);
      return { ...current, pullThroughCacheRules: [...rules, rule] };
    });
    return rule;
  }

  /** Named rules (each must exist), or one page of all in prefix order. */
  async describe(registry: string, prefixes: readonly string[] | undefined, limit: number, after?: string) {
    const rules = await this.all(registry);
    if (prefixes) return { rules: prefixes.map((prefix) => this.find(registry, rules, prefix)) };
    const sorted = [...rules].sort((a, b) => (a.ecrRepositoryPrefix < b.ecrRepositoryPrefix ? -1 : 1));
    const rest = after === undefined ? sorted : sorted.filter((rule) => rule.ecrRepositoryPrefix > after);
    const page = rest.slice(0, limit);
    return rest.length > limit ? { rules: page, next: page[page.length - 1]?.ecrRepositoryPrefix as string } : { rules: page };
  }

  async update(registry: string, prefix: string, change: Pick<PullThroughRuleInput, 'credentialArn' | 'customRoleArn'>): Promise<PullThroughCacheRuleRecord> {
    await readUpstreamSecret(this.deps.secrets, change.credentialArn);
    const key = normalizePrefix(prefix);
    let updated: PullThroughCacheRuleRecord | undefined;
    await this.deps.registries.update(registry, (current) => {
      const rules = current.pullThroughCacheRules ?? [];
      const rule = this.find(registry, rules, key);
      updated = { ...rule, ...definedOnly(change), updatedAt: this.clock.now().toISOString() };
      return { ...current, pullThroughCacheRules: rules.map((r) => (r === rule ? (updated as PullThroughCacheRuleRecord) : r)) };
    });
    return updated as PullThroughCacheRuleRecord;
  }

  async delete(registry: string, prefix: string): Promise<PullThroughCacheRuleRecord> {
    const key = normalizePrefix(prefix);
    let deleted: PullThroughCacheRuleRecord | undefined;
    await this.deps.registries.update(registry, (current) => {
      const rules = current.pullThroughCacheRules ?? [];
      deleted = this.find(registry, rules, key);
      return { ...current, pullThroughCacheRules: rules.filter((r) => r !== deleted) };
    });
    return deleted as PullThroughCacheRuleRecord;
  }

  /** ValidatePullThroughCacheRule: can the upstream be reached, and do the credentials work? */
  async validate(registry: string, prefix: string): Promise<{ rule: PullThroughCacheRuleRecord; isValid: boolean; failure?: string }> {
    const rule = this.find(registry, await this.all(registry), normalizePrefix(prefix));
    try {
      const result = await (await this.sourceFor(rule)).check();
      if (result.reachable && result.authenticated) return { rule, isValid: true };
      return {
        rule,
        isValid: false,
        failure: result.failure ?? (result.reachable ? 'The upstream registry refused the credentials' : 'The upstream registry is unreachable'),
      };
    } catch (error) {
      return { rule, isValid: false, failure: (error as Error).message };
    }
  }

  /** The rule covering a repository, if any. */
  async match(registry: string, name: string): Promise<RuleMatch | undefined> {
    // Every manifest GET asks: the settings read directly, without all()'s async hop.
    return matchRule((await this.deps.registries.get(registry)).pullThroughCacheRules ?? [], name);
  }

  /** A client for the rule's upstream, with the rule's credentials as they are now. */
  async sourceFor(rule: PullThroughCacheRuleRecord): Promise<UpstreamSource> {
    const upstream = { registry: rule.upstreamRegistryUrl, insecure: this.isInsecure(rule.upstreamRegistryUrl) };
    const credentials = await this.credentialsFor(rule, upstream);
    return this.deps.connect({ ...upstream, ...(credentials ? { credentials } : {}) });
  }

  /** The secret's username and token, or a token exchanged for its access keys (or, for ECR without a secret, for the caller's role). */
  private async credentialsFor(rule: PullThroughCacheRuleRecord, upstream: { registry: string; insecure: boolean }): Promise<UpstreamCredentials | undefined> {
    const secret = await readUpstreamSecret(this.deps.secrets, rule.credentialArn);
    if (secret?.kind === 'password') return secret.credentials;
    const tokens = this.deps.ecrTokens;
    if (secret === undefined && (rule.upstreamRegistry !== 'ecr' || !tokens)) return undefined;
    if (!tokens)
      throw new UpstreamError('unauthorized', `the secret '${rule.credentialArn}' holds AWS access keys, which this server cannot exchange for a token`);
    const { username, password } = await tokens.authorize(upstream, secret?.keys);
    return { username, password };
  }

  private isInsecure(url: string): boolean {
    return (this.deps.insecureUpstreams ?? []).includes(url);
  }

  /**
   * The SSRF guard's verdict at creation: an address the config does not allow (loopback, private,
   * link-local, plain http) is refused now rather than at the first pull. An upstream that is merely
   * down is accepted, as on ECR (ValidatePullThroughCacheRule tells).
   */
  private async refuseForbiddenAddress(url: string): Promise<void> {
    try {
      await this.deps.connect({ registry: url, insecure: this.isInsecure(url) }).check();
    } catch (error) {
      if (upstreamFailure(error) === 'refused') {
        throw new UnsupportedUpstreamRegistryError(`The upstream registry URL '${url}' is not allowed: ${(error as Error).message}`);
      }
    }
  }

  private async all(registry: string): Promise<readonly PullThroughCacheRuleRecord[]> {
    return (await this.deps.registries.get(registry)).pullThroughCacheRules ?? [];
  }

  private find(registry: string, rules: readonly PullThroughCacheRuleRecord[], prefix: string): PullThroughCacheRuleRecord {
    const key = normalizePrefix(prefix);
    const rule = rules.find((r) => r.ecrRepositoryPrefix === key);
    if (!rule) throw new PullThroughCacheRuleNotFoundError(key, accountOf(registry));
    return rule;
  }
}

function definedOnly<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
