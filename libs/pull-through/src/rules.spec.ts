import { createMemoryStorage } from '@cargohold/storage-memory';
import { NO_SECRETS, UpstreamError, type PullThroughCacheRuleRecord, type SecretStore } from '@cargohold/storage-ports';
import { PullThroughCacheRuleAlreadyExistsError, PullThroughCacheRuleNotFoundError, UnsupportedUpstreamRegistryError } from './errors';
import { MAX_RULES, PullThroughRules } from './rule-admin';
import { classifyUpstream, matchRule } from './rules';
import { SpecUpstream } from './spec-upstream';

const REGISTRY = '111122223333:us-east-1';
const rule = (ecrRepositoryPrefix: string, upstreamRepositoryPrefix = 'ROOT'): PullThroughCacheRuleRecord => ({
  ecrRepositoryPrefix,
  upstreamRegistryUrl: 'quay.io',
  upstreamRepositoryPrefix,
  createdAt: '',
  updatedAt: '',
});

describe('matchRule', () => {
  it('takes the longest prefix whose namespace holds the name, and maps the rest under the upstream prefix', () => {
    const rules = [rule('hub'), rule('hub/library', 'mirror'), rule('ROOT')];

    expect(matchRule(rules, 'hub/library/alpine')?.upstreamRepository).toBe('mirror/alpine');
    expect(matchRule(rules, 'hub/bitnami/redis')?.upstreamRepository).toBe('bitnami/redis');
    expect(matchRule(rules, 'hubs/x')).toMatchObject({ rule: { ecrRepositoryPrefix: 'ROOT' }, upstreamRepository: 'hubs/x' });
    expect(matchRule(rules.slice(0, 2), 'hub')).toBeUndefined();
  });
});

describe('classifyUpstream', () => {
  it('recognises ECR’s upstreams by URL, checks a named one against its URL, and takes any other host as an OCI registry', () => {
    expect(classifyUpstream('public.ecr.aws', undefined, undefined)).toBe('ecr-public');
    expect(classifyUpstream('harbor.example.com:8443', undefined, undefined)).toBeUndefined();
    expect(() => classifyUpstream('quay.io', 'docker-hub', 'arn')).toThrow(UnsupportedUpstreamRegistryError);
    expect(() => classifyUpstream('registry-1.docker.io', undefined, undefined)).toThrow(/requires a credentialArn/);
    expect(() => classifyUpstream('https://quay.io/v2', undefined, undefined)).toThrow(/not a host/);
  });
});

describe('PullThroughRules', () => {
  const admin = (secrets: SecretStore = NO_SECRETS, upstream = new SpecUpstream()) =>
    new PullThroughRules({ registries: createMemoryStorage().registries, secrets, connect: () => upstream, insecureUpstreams: ['127.0.0.1:5001'] });

  it('refuses a second rule with the same prefix (a trailing slash is the same prefix), and more than ECR’s quota', async () => {
    const rules = admin();
    await rules.create(REGISTRY, { ecrRepositoryPrefix: 'quay/', upstreamRegistryUrl: 'quay.io' });

    await expect(rules.create(REGISTRY, { ecrRepositoryPrefix: 'quay', upstreamRegistryUrl: 'quay.io' })).rejects.toBeInstanceOf(
      PullThroughCacheRuleAlreadyExistsError,
    );
    for (let i = 1; i < MAX_RULES; i++) await rules.create(REGISTRY, { ecrRepositoryPrefix: `p${i}`, upstreamRegistryUrl: 'quay.io' });
    await expect(rules.create(REGISTRY, { ecrRepositoryPrefix: 'one-more', upstreamRegistryUrl: 'quay.io' })).rejects.toThrow(/maximum/);
  });

  it('refuses a credentialArn naming a secret that does not exist', async () => {
    await expect(
      admin().create(REGISTRY, {
        ecrRepositoryPrefix: 'hub',
        upstreamRegistryUrl: 'registry-1.docker.io',
        credentialArn: 'arn:aws:secretsmanager:us-east-1:111122223333:secret:ecr-pullthroughcache/hub',
      }),
    ).rejects.toThrow(/could not be found/);
  });

  it('refuses an upstream the address guard refuses, at creation', async () => {
    const refusing = new SpecUpstream();
    refusing.check = async () => {
      throw new UpstreamError('refused', '127.0.0.1 is a loopback address');
    };

    await expect(admin(NO_SECRETS, refusing).create(REGISTRY, { ecrRepositoryPrefix: 'local', upstreamRegistryUrl: '127.0.0.1:5999' })).rejects.toThrow(
      /not allowed: 127.0.0.1 is a loopback address/,
    );
  });

  it('describes named rules, failing for one that does not exist; updates and deletes by prefix', async () => {
    const rules = admin({ read: async () => '{"username":"u","accessToken":"t"}' });
    await rules.create(REGISTRY, { ecrRepositoryPrefix: 'a', upstreamRegistryUrl: 'quay.io' });
    const arn = 'arn:aws:secretsmanager:us-east-1:111122223333:secret:ecr-pullthroughcache/q';

    const updated = await rules.update(REGISTRY, 'a/', { credentialArn: arn });
    const deleted = await rules.delete(REGISTRY, 'a');

    expect(updated.credentialArn).toBe(arn);
    expect(deleted.credentialArn).toBe(arn);
    await expect(rules.describe(REGISTRY, ['a'], 100)).rejects.toBeInstanceOf(PullThroughCacheRuleNotFoundError);
  });

  it('validates a rule by reaching its upstream: a down upstream is a failure, not an error', async () => {
    const upstream = new SpecUpstream();
    const rules = admin(NO_SECRETS, upstream);
    await rules.create(REGISTRY, { ecrRepositoryPrefix: 'local', upstreamRegistryUrl: '127.0.0.1:5001' });

    const valid = await rules.validate(REGISTRY, 'local');
    upstream.down = true;
    const invalid = await rules.validate(REGISTRY, 'local');

    expect(valid.isValid).toBe(true);
    expect(invalid).toMatchObject({ isValid: false, failure: 'connection refused' });
  });
});
