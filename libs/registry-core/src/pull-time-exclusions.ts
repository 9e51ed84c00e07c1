import type { PullTimeUpdateExclusion, RegistrySettingsStore } from '@cargohold/storage-ports';
import type { Clock } from './config';
import { ExclusionAlreadyExistsError, ExclusionNotFoundError, LimitExceededError } from './ecr-errors';

/** "You can configure up to 100 exclusions per account" (https://docs.aws.amazon.com/AmazonECR/latest/userguide/pull-time-update-exclusions.html). */
export const MAX_PULL_TIME_EXCLUSIONS = 100;

/**
 * Pull-time update exclusions: IAM principals (scanners, CI) whose pulls do not move an image's
 * lastRecordedPullTime, so they cannot keep every image "recently pulled" for lifecycle rules. Kept in
 * the registry's settings document (small: at most 100 ARNs of at most 200 characters).
 */
export class PullTimeExclusions {
  constructor(
    private readonly registries: RegistrySettingsStore,
    private readonly clock: Clock,
  ) {}

  async register(registry: string, principalArn: string): Promise<{ principalArn: string; createdAt: Date }> {
    const createdAt = this.clock.now();
    await this.registries.update(registry, (current) => {
      const exclusions = current.pullTimeUpdateExclusions ?? [];
      if (exclusions.some((e) => e.principalArn === principalArn)) throw new ExclusionAlreadyExistsError(principalArn);
      if (exclusions.length >= MAX_PULL_TIME_EXCLUSIONS) {
        throw new LimitExceededError(`A registry can have at most ${MAX_PULL_TIME_EXCLUSIONS} pull time update exclusions`);
      }
      return { ...current, pullTimeUpdateExclusions: [...exclusions, { principalArn, createdAt: createdAt.toISOString() }] };
    });
    return { principalArn, createdAt };
  }

  async deregister(registry: string, principalArn: string): Promise<string> {
    await this.registries.update(registry, (current) => {
      const exclusions = current.pullTimeUpdateExclusions ?? [];
      if (!exclusions.some((e) => e.principalArn === principalArn)) throw new ExclusionNotFoundError(principalArn);
      return { ...current, pullTimeUpdateExclusions: exclusions.filter((e) => e.principalArn !== principalArn) };
    });
    return principalArn;
  }

  /** One page of excluded principal ARNs in byte order, strictly after `after`. */
  async list(registry: string, limit: number, after?: string): Promise<{ principalArns: string[]; next?: string }> {
    const all = (await this.exclusionsOf(registry)).map((e) => e.principalArn).sort();
    const rest = after === undefined ? all : all.filter((arn) => arn > after);
    const principalArns = rest.slice(0, limit);
    return rest.length > limit ? { principalArns, next: principalArns[principalArns.length - 1] as string } : { principalArns };
  }

  /** Whether a pull by `pullerArn` leaves pull times alone: its ARN, or for a role session its role, is excluded. */
  async excludes(registry: string, pullerArn: string): Promise<boolean> {
    const exclusions = await this.exclusionsOf(registry);
    return exclusions.some((e) => sameIdentity(e.principalArn, pullerArn));
  }

  private async exclusionsOf(registry: string): Promise<readonly PullTimeUpdateExclusion[]> {
    return (await this.registries.get(registry)).pullTimeUpdateExclusions ?? [];
  }
}

const ASSUMED_ROLE = /^arn:(aws[a-z-]*):sts::([0-9]{12}):assumed-role\/([^/]+)\/[^/]+$/;
const ROLE = /^arn:(aws[a-z-]*):iam::([0-9]{12}):role\/(?:.*\/)?([^/]+)$/;

/**
 * A registered role ARN covers the sessions of that role: a pull by `arn:aws:sts::<acct>:assumed-role/<role>/<session>`
 * is a pull by `arn:aws:iam::<acct>:role/[<path>/]<role>` (sessions do not carry the role's path).
 */
function sameIdentity(registered: string, puller: string): boolean {
  if (registered === puller) return true;
  const session = ASSUMED_ROLE.exec(puller);
  const role = ROLE.exec(registered);
  return !!session && !!role && session[1] === role[1] && session[2] === role[2] && session[3] === role[3];
}
