import { InvalidParameterError } from '@cargohold/registry-core';
import { createMemoryStorage } from '@cargohold/storage-memory';
import { upstreamFailure, type SecretStore, type UpstreamTarget } from '@cargohold/storage-ports';
import type { AwsAccessKeys } from './credentials';
import { CachedEcrTokens, type EcrAuthorization, type EcrTokenSource } from './ecr-tokens';
import { PullThroughRules } from './rule-admin';
import { SpecUpstream } from './spec-upstream';

const REGISTRY = '111122223333:us-east-1';
const ARN = 'arn:aws:secretsmanager:us-east-1:111122223333:secret:ecr-pullthroughcache/keys';
const KEYS = { accessKeyId: 'AKIDUPSTREAM', secretAccessKey: 'upstream-secret' };
const HOUR = 60 * 60 * 1000;

/** A scripted GetAuthorizationToken: a new token per call, valid 12 hours from the clock's now. */
function exchange(clock: { now(): Date }) {
  const calls: { registry: string; keys: AwsAccessKeys | undefined }[] = [];
  const source: EcrTokenSource = {
    authorize: async (upstream, keys) => {
      calls.push({ registry: upstream.registry, keys });
      await new Promise((resolve) => setTimeout(resolve, 5));
      return { username: 'AWS', password: `token-${calls.length}`, expiresAt: new Date(clock.now().getTime() + 12 * HOUR) } satisfies EcrAuthorization;
    },
  };
  return { source, calls };
}

describe('CachedEcrTokens', () => {
  it('reuses a token until shortly before it expires, sharing one exchange between concurrent pulls, then renews it', async () => {
    let now = new Date('2026-01-01T00:00:00Z');
    const clock = { now: () => now };
    const { source, calls } = exchange(clock);
    const tokens = new CachedEcrTokens(source, clock);
    const upstream = { registry: 'ecr.example.com', insecure: false };

    const first = await Promise.all([tokens.authorize(upstream, KEYS), tokens.authorize(upstream, KEYS)]);
    now = new Date(now.getTime() + 11 * HOUR);
    const later = await tokens.authorize(upstream, KEYS);
    now = new Date(now.getTime() + 50 * 60 * 1000);
    const renewed = await tokens.authorize(upstream, KEYS);

    expect(first.map((token) => token.password)).toEqual(['token-1', 'token-1']);
    expect(later.password).toBe('token-1');
    expect(renewed.password).toBe('token-2');
    expect(calls).toHaveLength(2);
  });

  it('keeps tokens apart by upstream and by keys', async () => {
    const clock = { now: () => new Date('2026-01-01T00:00:00Z') };
    const { source, calls } = exchange(clock);
    const tokens = new CachedEcrTokens(source, clock);

    await tokens.authorize({ registry: 'a.example.com', insecure: false }, KEYS);
    await tokens.authorize({ registry: 'b.example.com', insecure: false }, KEYS);
    await tokens.authorize({ registry: 'a.example.com', insecure: false }, { ...KEYS, secretAccessKey: 'rotated' });
    await tokens.authorize({ registry: 'a.example.com', insecure: false }, undefined);

    expect(calls).toHaveLength(4);
  });
});

describe('PullThroughRules with AWS access keys', () => {
  const setup = (secret: string | undefined, withTokens = true) => {
    const targets: UpstreamTarget[] = [];
    const upstream = new SpecUpstream();
    const secrets: SecretStore = { read: async () => secret ?? '' };
    const { source, calls } = exchange({ now: () => new Date() });
    const rules = new PullThroughRules({
      registries: createMemoryStorage().registries,
      secrets,
      connect: (target) => (targets.push(target), upstream),
      insecureUpstreams: ['127.0.0.1:5001'],
      ...(withTokens ? { ecrTokens: source } : {}),
    });
    return { rules, targets, calls };
  };

  it('exchanges the keys a secret holds for the upstream’s token, and connects with AWS and that token', async () => {
    const { rules, targets, calls } = setup(JSON.stringify({ ...KEYS, sessionToken: 'session' }));
    const rule = await rules.create(REGISTRY, { ecrRepositoryPrefix: 'mirror', upstreamRegistryUrl: '127.0.0.1:5001', credentialArn: ARN });

    await rules.sourceFor(rule);

    expect(calls).toEqual([{ registry: '127.0.0.1:5001', keys: { ...KEYS, sessionToken: 'session' } }]);
    expect(targets.at(-1)).toEqual({ registry: '127.0.0.1:5001', insecure: true, credentials: { username: 'AWS', password: 'token-1' } });
  });

  it('passes a username and token secret as it is, with no exchange', async () => {
    const { rules, targets, calls } = setup('{"username":"AWS","accessToken":"twelve-hours"}');
    const rule = await rules.create(REGISTRY, { ecrRepositoryPrefix: 'mirror', upstreamRegistryUrl: '127.0.0.1:5001', credentialArn: ARN });

    await rules.sourceFor(rule);

    expect(calls).toEqual([]);
    expect(targets.at(-1)?.credentials).toEqual({ username: 'AWS', password: 'twelve-hours' });
  });

  it('uses the caller’s role for an ECR upstream without a secret, as ECR-to-ECR caching does; other upstreams stay anonymous', async () => {
    const { rules, targets, calls } = setup(undefined);
    const ecr = { ecrRepositoryPrefix: 'ecr', upstreamRegistryUrl: '123456789012.dkr.ecr.eu-west-1.amazonaws.com', upstreamRegistry: 'ecr' };

    await rules.sourceFor({ ...ecr, upstreamRepositoryPrefix: 'ROOT', createdAt: '', updatedAt: '' });
    await rules.sourceFor({ ecrRepositoryPrefix: 'q', upstreamRegistryUrl: 'quay.io', upstreamRepositoryPrefix: 'ROOT', createdAt: '', updatedAt: '' });

    expect(calls).toEqual([{ registry: ecr.upstreamRegistryUrl, keys: undefined }]);
    expect(targets.map((target) => target.credentials)).toEqual([{ username: 'AWS', password: 'token-1' }, undefined]);
  });

  it('refuses keys where no token exchange is wired, as an unauthorized upstream', async () => {
    const { rules } = setup(JSON.stringify(KEYS), false);
    const rule = await rules.create(REGISTRY, { ecrRepositoryPrefix: 'mirror', upstreamRegistryUrl: '127.0.0.1:5001', credentialArn: ARN });

    const failure = await rules.sourceFor(rule).catch((error: unknown) => error);

    expect(upstreamFailure(failure)).toBe('unauthorized');
  });

  it('refuses at creation a secret that holds neither a token nor both keys', async () => {
    const { rules } = setup('{"accessKeyId":"AKID"}');

    await expect(rules.create(REGISTRY, { ecrRepositoryPrefix: 'mirror', upstreamRegistryUrl: '127.0.0.1:5001', credentialArn: ARN })).rejects.toBeInstanceOf(
      InvalidParameterError,
    );
  });
});
