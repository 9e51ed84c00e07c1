import type { Principal } from '@cargohold/auth';
import { parseRegistryKey, repositoryArn } from '@cargohold/oci';
import { evaluate, isContextFree, parsePolicyDocument, type Evaluation, type PolicyDocument } from '@cargohold/policy';
import type { RegistrySettings, RegistrySettingsStore, RepositoryStore } from '@cargohold/storage-ports';
import { verdictOf, type AccessVerdict, type PolicySource } from './access-verdict';
import type { Clock } from './config';
import { InvalidParameterError } from './ecr-errors';

export interface AccessCheck {
  readonly principal: Principal;
  readonly action: string;
  /** `<account>:<region>` of the registry the action targets. */
  readonly registryKey: string;
  readonly repositoryName?: string;
  readonly sourceIp?: string;
  /**
   * The repository's policy text as the caller read it in this same request (a listing page reads whole
   * repositories; `text` undefined: no policy), so a page of checks does not read each repository again.
   * Omitted, the repository is read.
   */
  readonly repositoryPolicy?: { readonly text: string | undefined };
}

/** Where identity policies come from (the IAM-lite directory); raw documents as configured. */
export type IdentityPolicySource = (principalArn: string) => readonly unknown[];

/** Parses a stored or configured policy, or throws InvalidParameterError with IAM's reasons. */
export function parsePolicy(text: string, kind: 'identity' | 'resource'): PolicyDocument {
  const parsed = parsePolicyDocument(text, kind);
  if (!parsed.ok) throw new InvalidParameterError(`Invalid parameter at 'PolicyText' failed to satisfy constraint: '${parsed.errors.join('; ')}'`);
  return parsed.policy;
}

/**
 * IAM as AWS combines it for ECR: the principal's identity policies, the repository policy and the
 * registry policy, evaluated on every request (explicit deny wins; cross-account needs both sides).
 */
export class AccessService {
  private readonly identityCache = new Map<string, PolicyDocument[]>();
  /** Parsed resource policies by their exact text: a policy is re-read on every request, not re-parsed. */
  private readonly resourceCache = new Map<string, PolicyDocument>();
  /**
   * Evaluations over context-free policies (isContextFree: no Condition, no variable in a Resource), by
   * principal, action, resource and the exact policy documents: the same inputs give the same verdict, so
   * a pull's requests evaluate once. A changed policy is a new document, hence a new key. Bounded.
   * Keyed by principal ARN, then action (the same strings on every request with one token, so hashed
   * once), then the rest of the inputs: one key joined from all of them was ~200 characters hashed per request.
   */
  private readonly evaluations = new Map<string, Map<string, Map<string, Evaluation>>>();
  private evaluationCount = 0;
  private readonly documentIds = new WeakMap<PolicyDocument, string>();
  private nextDocumentId = 0;

  constructor(
    private readonly repositories: RepositoryStore,
    private readonly registries: RegistrySettingsStore,
    private readonly identityPolicies: IdentityPolicySource,
    private readonly clock: Clock,
  ) {}

  async allows(check: AccessCheck): Promise<boolean> {
    return (await this.decide(check)).decision === 'Allow';
  }

  /** The decision and the statement that made it (or the policy kind whose Allow was missing). */
  async decide(check: AccessCheck): Promise<AccessVerdict> {
    const [verdict] = await this.decideEach([check]);
    if (!verdict) throw new Error('decideEach answered no verdict for one check');
    return verdict;
  }

  async allowsEach(checks: readonly AccessCheck[]): Promise<boolean[]> {
    return (await this.decideEach(checks)).map((verdict) => verdict.decision === 'Allow');
  }

  /**
   * Several checks in one evaluation (a request's actions, a catalog page): each registry and
   * repository policy they name is read once, all reads at the same time, then every check is decided.
   */
  async decideEach(checks: readonly AccessCheck[]): Promise<AccessVerdict[]> {
    // One check (almost every /v2/ request): its two reads, without the maps that share reads between checks.
    if (checks.length === 1) return [await this.decideOne(checks[0] as AccessCheck)];
    const { policies, v1 } = await this.resourcePoliciesOf(checks);
    return checks.map((check) =>
      this.decideWith(
        check,
        v1.has(check.registryKey),
        policies.get(check.registryKey),
        check.repositoryName === undefined ? undefined : policies.get(repositoryKey(check.registryKey, check.repositoryName)),
      ),
    );
  }

  private async decideOne(check: AccessCheck): Promise<AccessVerdict> {
    const { registryKey, repositoryName, repositoryPolicy } = check;
    const [settings, repositoryText] = await Promise.all([
      this.registries.get(registryKey),
      repositoryName === undefined ? undefined : this.repositoryPolicyText(registryKey, repositoryName, repositoryPolicy),
    ]);
    const registryPolicy = settings.policyText === undefined ? undefined : this.resourcePolicy(settings.policyText);
    return this.decideWith(check, isV1Scope(settings), registryPolicy, repositoryText === undefined ? undefined : this.resourcePolicy(repositoryText));
  }

  /** The repository policy a check names: the text it carries (read by the caller), or the stored one. */
  private repositoryPolicyText(
    registryKey: string,
    repositoryName: string,
    carried: AccessCheck['repositoryPolicy'],
  ): Promise<string | undefined> | string | undefined {
    if (carried) return carried.text;
    return this.repositories.get({ registry: registryKey, name: repositoryName }).then((repo) => repo?.settings.policyText);
  }

  /** `v1`: the registry's policy scope is V1, which applies its policy to three actions only. */
  private decideWith(check: AccessCheck, v1: boolean, registry: PolicyDocument | undefined, repository: PolicyDocument | undefined): AccessVerdict {
    const inScope = !v1 || V1_REGISTRY_POLICY_ACTIONS.has(check.action.toLowerCase());
    const resourcePolicies: PolicyDocument[] = [];
    const sources: PolicySource[] = [];
    if (repository) {
      resourcePolicies.push(repository);
      sources.push('repository');
    }
    if (registry && inScope) {
      resourcePolicies.push(registry);
      sources.push('registry');
    }
    return this.evaluateOne(check, resourcePolicies, sources);
  }

  /** Resource policies by registry key and by repository (registry key + NUL + name), each read once. */
  private async resourcePoliciesOf(checks: readonly AccessCheck[]): Promise<{ policies: Map<string, PolicyDocument | undefined>; v1: Set<string> }> {
    const reads = new Map<string, Promise<string | undefined>>();
    const v1 = new Set<string>();
    for (const { registryKey, repositoryName, repositoryPolicy } of checks) {
      if (!reads.has(registryKey))
        reads.set(
          registryKey,
          this.registries.get(registryKey).then((settings) => {
            if (isV1Scope(settings)) v1.add(registryKey);
            return settings.policyText;
          }),
        );
      if (repositoryName === undefined) continue;
      const key = repositoryKey(registryKey, repositoryName);
      if (reads.has(key)) continue;
      reads.set(key, Promise.resolve(this.repositoryPolicyText(registryKey, repositoryName, repositoryPolicy)));
    }
    // Promise.all over the reads themselves (no wrapper per read): a listing page's checks come here.
    const texts = await Promise.all(reads.values());
    const policies = new Map<string, PolicyDocument | undefined>();
    let index = 0;
    for (const key of reads.keys()) {
      const text = texts[index++];
      policies.set(key, text === undefined ? undefined : this.resourcePolicy(text));
    }
    return { policies, v1 };
  }

  private evaluateOne(check: AccessCheck, resourcePolicies: PolicyDocument[], sources: readonly PolicySource[]): AccessVerdict {
    const identity = this.identityOf(check.principal.arn);
    const key = this.evaluationKey(check, identity, resourcePolicies);
    const known = key === undefined ? undefined : this.evaluations.get(check.principal.arn)?.get(check.action)?.get(key);
    if (known) return verdictOf(known, sources);
    // Only what an evaluation needs from here on: a memoised one needs none of it.
    const { account } = parseRegistryKey(check.registryKey);
    const resource = check.action.toLowerCase() === 'ecr:getauthorizationtoken' ? '*' : resourceArn(check.registryKey, check.repositoryName);
    const evaluation = evaluate(
      {
        principal: { accountId: check.principal.accountId, arn: check.principal.arn },
        action: check.action,
        resource,
        resourceAccountId: account,
        context: {
          'aws:CurrentTime': this.clock.now(),
          'aws:EpochTime': Math.floor(this.clock.now().getTime() / 1000),
          'aws:SecureTransport': false,
          ...(check.sourceIp ? { 'aws:SourceIp': check.sourceIp.replace(/^::ffff:/, '') } : {}),
        },
      },
      { identity, resource: resourcePolicies },
    );
    if (key !== undefined) {
      if (this.evaluationCount >= 10_000) {
        this.evaluations.clear();
        this.evaluationCount = 0;
      }
      let byAction = this.evaluations.get(check.principal.arn);
      if (byAction === undefined) this.evaluations.set(check.principal.arn, (byAction = new Map()));
      let byInputs = byAction.get(check.action);
      if (byInputs === undefined) byAction.set(check.action, (byInputs = new Map()));
      byInputs.set(key, evaluation);
      this.evaluationCount++;
    }
    return verdictOf(evaluation, sources);
  }

  /** The memo key of an evaluation under its principal and action, or undefined when a policy involved reads the request context. */
  private evaluationKey(check: AccessCheck, identity: readonly PolicyDocument[], resourcePolicies: readonly PolicyDocument[]): string | undefined {
    const identityIds = this.idsOf(identity);
    const resourceIds = identityIds === undefined ? undefined : this.idsOf(resourcePolicies);
    if (resourceIds === undefined) return undefined;
    // The resource is the action, registry and repository's (no repository: '*', which no name can be).
    return `${check.principal.accountId}\0${check.registryKey}\0${check.repositoryName ?? '*'}\0${identityIds}\0${resourceIds}`;
  }

  /** Each document's id (its identity, not its text), or undefined when one of them is not context-free. */
  private idsOf(documents: readonly PolicyDocument[]): string | undefined {
    const ids: string[] = [];
    for (const document of documents) {
      let id = this.documentIds.get(document);
      if (id === undefined) {
        if (!isContextFree(document)) return undefined;
        id = String(this.nextDocumentId++);
        this.documentIds.set(document, id);
      }
      ids.push(id);
    }
    return ids.join(',');
  }

  private resourcePolicy(text: string): PolicyDocument {
    let document = this.resourceCache.get(text);
    if (!document) {
      if (this.resourceCache.size >= 1000) this.resourceCache.clear();
      document = parsePolicy(text, 'resource');
      this.resourceCache.set(text, document);
    }
    return document;
  }

  private identityOf(arn: string): PolicyDocument[] {
    let documents = this.identityCache.get(arn);
    if (!documents) {
      documents = this.identityPolicies(arn).map((doc) => parsePolicy(JSON.stringify(doc), 'identity'));
      this.identityCache.set(arn, documents);
    }
    return documents;
  }
}

/**
 * REGISTRY_POLICY_SCOPE V1: the registry policy governs only these actions; V2 (the default) applies it to
 * every ECR action ("Registry permissions", https://docs.aws.amazon.com/AmazonECR/latest/userguide/registry-permissions.html).
 */
const V1_REGISTRY_POLICY_ACTIONS = new Set(['ecr:replicateimage', 'ecr:batchimportupstreamimage', 'ecr:createrepository']);

const repositoryKey = (registryKey: string, name: string) => `${registryKey}\u0000${name}`;

/** A V1 registry policy applies to three actions only (V1_REGISTRY_POLICY_ACTIONS). */
const isV1Scope = (settings: RegistrySettings): boolean => settings.accountSettings['REGISTRY_POLICY_SCOPE'] === 'V1';

/** The ECR resource an action targets: a repository ARN, or all repositories of the registry. */
export function resourceArn(registryKey: string, repositoryName: string | undefined): string {
  return repositoryArn(registryKey, repositoryName ?? '*');
}
