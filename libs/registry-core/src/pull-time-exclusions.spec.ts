import { createMemoryStorage } from '@cargohold/storage-memory';
import { ExclusionAlreadyExistsError, ExclusionNotFoundError, LimitExceededError } from './ecr-errors';
import { MAX_PULL_TIME_EXCLUSIONS, PullTimeExclusions } from './pull-time-exclusions';

const REGISTRY = '111122223333:us-east-1';
const NOW = new Date('2026-01-01T00:00:00Z');
const ROLE = 'arn:aws:iam::111122223333:role/scanners/trivy';

function setup() {
  return new PullTimeExclusions(createMemoryStorage().registries, { now: () => NOW });
}

describe('PullTimeExclusions', () => {
  it('registers a principal once, with its creation time', async () => {
    const exclusions = setup();

    await expect(exclusions.register(REGISTRY, ROLE)).resolves.toEqual({ principalArn: ROLE, createdAt: NOW });
    await expect(exclusions.register(REGISTRY, ROLE)).rejects.toBeInstanceOf(ExclusionAlreadyExistsError);
  });

  it(`refuses more than ${MAX_PULL_TIME_EXCLUSIONS} exclusions per registry (LimitExceeded)`, async () => {
    const exclusions = setup();
    for (let i = 0; i < MAX_PULL_TIME_EXCLUSIONS; i++) await exclusions.register(REGISTRY, `arn:aws:iam::111122223333:user/u${i}`);

    await expect(exclusions.register(REGISTRY, ROLE)).rejects.toBeInstanceOf(LimitExceededError);
  });

  it('deregisters a registered principal and refuses one that is not (ExclusionNotFound)', async () => {
    const exclusions = setup();
    await exclusions.register(REGISTRY, ROLE);

    await expect(exclusions.deregister(REGISTRY, ROLE)).resolves.toBe(ROLE);
    await expect(exclusions.deregister(REGISTRY, ROLE)).rejects.toBeInstanceOf(ExclusionNotFoundError);
  });

  it('excludes the principal itself and the sessions of an excluded role, in its registry only', async () => {
    const exclusions = setup();
    await exclusions.register(REGISTRY, ROLE);

    await expect(exclusions.excludes(REGISTRY, ROLE)).resolves.toBe(true);
    await expect(exclusions.excludes(REGISTRY, 'arn:aws:sts::111122223333:assumed-role/trivy/run-42')).resolves.toBe(true);
    await expect(exclusions.excludes(REGISTRY, 'arn:aws:sts::111122223333:assumed-role/other/run-42')).resolves.toBe(false);
    await expect(exclusions.excludes(REGISTRY, 'arn:aws:sts::999999999999:assumed-role/trivy/run-42')).resolves.toBe(false);
    await expect(exclusions.excludes('111122223333:eu-west-1', ROLE)).resolves.toBe(false);
  });

  it('lists principal ARNs in byte order, a page at a time', async () => {
    const exclusions = setup();
    for (const name of ['c', 'a', 'b']) await exclusions.register(REGISTRY, `arn:aws:iam::111122223333:user/${name}`);

    const first = await exclusions.list(REGISTRY, 2);
    const rest = await exclusions.list(REGISTRY, 2, first.next);

    expect(first.principalArns).toEqual(['arn:aws:iam::111122223333:user/a', 'arn:aws:iam::111122223333:user/b']);
    expect(rest).toEqual({ principalArns: ['arn:aws:iam::111122223333:user/c'] });
  });
});
