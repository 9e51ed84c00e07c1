import {
  basicCredentialsFromHeader,
  verifyToken,
  type AccessDecision,
  type AccessRequest,
  type Authorizer,
  type Principal,
} from '@cargohold/auth';
import { parseRegistryKey, repositoryArn } from '@cargohold/oci';
import { evaluate, parsePolicyDocument, type PolicyDocument } from '@cargohold/policy';
import type { RegistrySettingsStore, RepositoryStore } from '@cargohold/storage-ports';
import type { Clock } from './config';
import { InvalidParameterError } from './ecr-errors';

export interface AccessCheck {
  readonly principal: Principal;
  readonly action: string;
  /** `<account>:<region>` of the registry the action targets. */
  readonly registryKey: string;
  readonly repositoryName?: string;
  readonly sourceIp?: string;
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

  constructor(
    private readonly repositories: RepositoryStore,
    private readonly registries: RegistrySettingsStore,
    private readonly identityPolicies: IdentityPolicySource,
    private readonly clock: Clock,
  ) {}

  async allows(check: AccessCheck): Promise<boolean> {
    const { account } = parseRegistryKey(check.registryKey);
    const resource = check.action.toLowerCase() === 'ecr:getauthorizationtoken' ? '*' : resourceArn(check.registryKey, check.repositoryName);
    const resourcePolicies: PolicyDocument[] = [];
    if (check.repositoryName !== undefined) {
      const repository = await this.repositories.get({ registry: check.registryKey, name: check.repositoryName });
      if (repository?.settings.policyText !== undefined) resourcePolicies.push(this.resourcePolicy(repository.settings.policyText));
    }
    const { policyText } = await this.registries.get(check.registryKey);
    if (policyText !== undefined) resourcePolicies.push(this.resourcePolicy(policyText));
    const decision = evaluate(
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
      { identity: this.identityOf(check.principal.arn), resource: resourcePolicies },
    );
    return decision === 'Allow';
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

/** What a GetDownloadUrlForLayer URL may do: read its one blob. */
const DOWNLOAD_ACTIONS = new Set(['ecr:GetDownloadUrlForLayer', 'ecr:BatchCheckLayerAvailability']);

/**
 * `/v2/` authorization: an ECR token as the Basic password of user `AWS`, verified statelessly, then
 * the route's action checked against current policies.
 */
export class TokenAuthorizer implements Authorizer {
  constructor(
    private readonly tokenKey: Uint8Array,
    private readonly access: AccessService,
    private readonly clock: Clock,
  ) {}

  async authorize(request: AccessRequest): Promise<AccessDecision> {
    const credentials = basicCredentialsFromHeader(request.authorization);
    if (!credentials || credentials.username !== 'AWS') {
      return { allowed: false, reason: 'unauthenticated', message: 'authentication required: use aws ecr get-login-password' };
    }
    const verified = verifyToken(credentials.password, this.tokenKey, { now: this.clock.now(), registry: request.registry });
    if (!verified.ok) {
      const why = verified.reason === 'expired' ? 'Your authorization token has expired. Reauthenticate and try again.' : 'Your authorization token is invalid.';
      return { allowed: false, reason: 'unauthenticated', message: why };
    }
    const principal: Principal = { accountId: verified.claims.accountId, arn: verified.claims.principalArn };
    const { download } = verified.claims;
    if (download && !(DOWNLOAD_ACTIONS.has(request.action ?? '') && request.repository === download.repository && request.digest === download.digest)) {
      return { allowed: false, reason: 'unauthenticated', message: 'This download URL is for another blob.' };
    }
    if (request.action === null) return { allowed: true, principal };
    const allowed = await this.access.allows({
      principal,
      action: request.action,
      registryKey: request.registry,
      ...(request.repository !== undefined ? { repositoryName: request.repository } : {}),
      ...(request.sourceIp !== undefined ? { sourceIp: request.sourceIp } : {}),
    });
    return allowed
      ? { allowed: true, principal }
      : {
          allowed: false,
          reason: 'denied',
          message: `User: ${principal.arn} is not authorized to perform: ${request.action} on resource: ${resourceArn(request.registry, request.repository)} because no identity-based policy allows the ${request.action} action`,
        };
  }
}

/** The ECR resource an action targets: a repository ARN, or all repositories of the registry. */
function resourceArn(registryKey: string, repositoryName: string | undefined): string {
  return repositoryArn(registryKey, repositoryName ?? '*');
}
