import {
  CreatePullThroughCacheRuleCommand,
  DescribePullThroughCacheRulesCommand,
  UpdatePullThroughCacheRuleCommand,
  ValidatePullThroughCacheRuleCommand,
} from '@aws-sdk/client-ecr';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startUpstreamRegistry, type UpstreamAuthMode, type UpstreamRegistryHandle } from '@cargohold/upstream-registry/testing';
import type { ConfigFile } from './config';
import { awsCliAvailable, awsEcr } from './testing/aws-cli';
import { startCorruptingProxy } from './testing/corrupting-proxy';
import { awsErrorName, loginPassword } from './testing/ecr-client';
import { OCI_MANIFEST, sha256, type RegistryClient } from './testing/registry-client';
import { skopeo, skopeoAvailable } from './testing/skopeo';
import { startEcrTestServer, type EcrTestServer } from './testing/test-server';

const ready = skopeoAvailable() && awsCliAvailable() && (existsSync('/usr/bin/docker-registry') || Boolean(process.env['CI']));
const describeIf = ready ? describe : describe.skip;
const ARN = (name: string) => `arn:aws:secretsmanager:us-east-1:000000000000:secret:ecr-pullthroughcache/${name}`;
const layer = (seed: string) => Buffer.from(`layer bytes of ${seed} `.repeat(50));

/** A cargohold with tokens on, whose pull-through cache may reach the given loopback upstreams over http. */
async function cargohold(
  insecureUpstreams: string[],
  secrets: NonNullable<NonNullable<ConfigFile['pullThroughCache']>['secrets']> = {},
  scheduledRefreshSeconds = 0,
) {
  const config: ConfigFile = { pullThroughCache: { insecureUpstreams, refreshIntervalSeconds: 1, scheduledRefreshSeconds, secrets } };
  const server = await startEcrTestServer(config);
  const token = await loginPassword(server.ecr);
  const host = server.t.server.url.replace('http://', '');
  const creds = `AWS:${token}`;
  return {
    server,
    host,
    ecr: (args: string[]) => awsEcr(server.t.server.url, args),
    inspect: async (ref: string) => (await skopeo(['inspect', '--raw', '--tls-verify=false', '--creds', creds, `docker://${host}/${ref}`])).stdout,
    copy: async (ref: string, dir: string) => skopeo(['copy', '--src-tls-verify=false', '--src-creds', creds, `docker://${host}/${ref}`, `dir:${dir}`]),
  };
}

describeIf('pull-through cache: docker-registry upstreams, the AWS CLI and skopeo', () => {
  const stops: (() => Promise<void>)[] = [];
  let work: string;
  beforeAll(async () => (work = await mkdtemp(join(tmpdir(), 'cargohold-ptc-'))));
  afterEach(async () => {
    for (const stop of stops.splice(0).reverse()) await stop().catch(() => undefined);
  });
  afterAll(() => rm(work, { recursive: true, force: true }));

  async function upstream(auth: UpstreamAuthMode): Promise<UpstreamRegistryHandle> {
    const handle = await startUpstreamRegistry({ auth });
    stops.push(() => handle.stop());
    return handle;
  }

  it.each(['none', 'basic', 'token'] as const)('pulls through an upstream with %s auth: identical manifest bytes and blobs', async (auth) => {
    const up = await upstream(auth);
    const pushed = await up.pushImage('library/app', '1', { layers: [layer(auth), layer(`${auth}-2`)] });
    const secrets = up.credentials ? { [ARN(auth)]: { username: up.credentials.username, accessToken: up.credentials.password } } : {};
    const local = await cargohold([up.registry], secrets);
    stops.push(() => local.server.stop());

    // AWS CLI 2.9.19 (Debian 12) predates credentialArn: credentialed rules go through the SDK.
    const created = up.credentials
      ? await local.server.ecr.send(
          new CreatePullThroughCacheRuleCommand({ ecrRepositoryPrefix: `up-${auth}`, upstreamRegistryUrl: up.registry, credentialArn: ARN(auth) }),
        )
      : await local.ecr(['create-pull-through-cache-rule', '--ecr-repository-prefix', `up-${auth}`, '--upstream-registry-url', up.registry]);
    const manifest = await local.inspect(`up-${auth}/library/app:1`);
    const dir = join(work, auth);
    await local.copy(`up-${auth}/library/app:1`, dir);

    expect(created).toMatchObject({ ecrRepositoryPrefix: `up-${auth}`, upstreamRegistryUrl: up.registry, registryId: '000000000000' });
    expect(sha256(Buffer.from(manifest))).toBe(pushed.digest);
    const copied = await readdir(dir);
    for (const blob of [pushed.config, ...pushed.layers]) {
      expect(copied).toContain(blob.digest.slice('sha256:'.length));
      expect((await readFile(join(dir, blob.digest.slice('sha256:'.length)))).equals(blob.bytes)).toBe(true);
    }
  });

  it('serves a moved tag after the refresh interval, and the cached copy once the upstream is gone', async () => {
    const up = await upstream('none');
    await up.pushImage('library/app', 'latest', { layers: [layer('v1')] });
    const local = await cargohold([up.registry]);
    stops.push(() => local.server.stop());
    await local.ecr(['create-pull-through-cache-rule', '--ecr-repository-prefix', 'hub', '--upstream-registry-url', up.registry]);
    await local.inspect('hub/library/app:latest');

    const moved = await up.pushImage('library/app', 'latest', { layers: [layer('v2')] });
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    const refreshed = await local.inspect('hub/library/app:latest');
    await up.stop();
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    const cached = await local.inspect('hub/library/app:latest');
    await local.copy('hub/library/app:latest', join(work, 'cached'));

    expect(sha256(Buffer.from(refreshed))).toBe(moved.digest);
    expect(sha256(Buffer.from(cached))).toBe(moved.digest);
  });

  it('moves a cached tag on schedule, without a pull', async () => {
    const up = await upstream('none');
    await up.pushImage('library/app', 'latest', { layers: [layer('scheduled-v1')] });
    const local = await cargohold([up.registry], {}, 1);
    stops.push(() => local.server.stop());
    await local.ecr(['create-pull-through-cache-rule', '--ecr-repository-prefix', 'hub', '--upstream-registry-url', up.registry]);
    await local.inspect('hub/library/app:latest');

    const moved = await up.pushImage('library/app', 'latest', { layers: [layer('scheduled-v2')] });
    await new Promise((resolve) => setTimeout(resolve, 2_500));
    const described = await local.ecr(['describe-images', '--repository-name', 'hub/library/app', '--image-ids', 'imageTag=latest']);

    expect(described).toMatchObject({ imageDetails: [{ imageDigest: moved.digest, imageTags: ['latest'] }] });
  });

  it('answers concurrent first pulls of one tag with one upstream fetch of its manifest and of each blob', async () => {
    const up = await upstream('none');
    const pushed = await up.pushImage('library/app', '1', { layers: [layer('concurrent-a'), layer('concurrent-b')] });
    const proxy = await startCorruptingProxy(up.registry, { corrupt: false });
    stops.push(() => proxy.stop());
    const local = await cargohold([proxy.registry]);
    stops.push(() => local.server.stop());
    await local.ecr(['create-pull-through-cache-rule', '--ecr-repository-prefix', 'hub', '--upstream-registry-url', proxy.registry]);

    const pulls = await Promise.all(
      [1, 2, 3, 4].map(() => local.server.v2.send('GET', '/v2/hub/library/app/manifests/1', { headers: { Accept: OCI_MANIFEST } })),
    );

    expect(pulls.map((pull) => pull.status)).toEqual([200, 200, 200, 200]);
    expect(pulls.every((pull) => pull.body.equals(pushed.bytes))).toBe(true);
    expect(proxy.requests.filter((request) => request.startsWith('GET /v2/library/app/manifests/'))).toHaveLength(1);
    for (const blob of [pushed.config, ...pushed.layers]) expect(proxy.requests.filter((request) => request.endsWith(blob.digest))).toHaveLength(1);
  });

  it('caches nothing from an upstream serving bytes that do not match their digest, and answers a clean OCI error', async () => {
    const up = await upstream('none');
    await up.pushImage('library/app', '1', { layers: [layer('tampered')] });
    const proxy = await startCorruptingProxy(up.registry);
    stops.push(() => proxy.stop());
    const local = await cargohold([proxy.registry]);
    stops.push(() => local.server.stop());
    await local.ecr(['create-pull-through-cache-rule', '--ecr-repository-prefix', 'bad', '--upstream-registry-url', proxy.registry]);

    const pull = await local.server.v2.send('GET', '/v2/bad/library/app/manifests/1', { headers: { Accept: OCI_MANIFEST } });
    const images = await local.ecr(['list-images', '--repository-name', 'bad/library/app']);

    expect(pull.status).toBe(503);
    expect(pull.json<{ errors: { code: string }[] }>().errors[0]?.code).toBe('UNAVAILABLE');
    // Nothing at all: not even the repository the first pull created (it goes again when the pull fails).
    expect(images).toEqual({ error: 'RepositoryNotFoundException' });
  });

  it('refuses a loopback upstream the config does not list, at creation; manages rules with ECR’s shapes and errors', async () => {
    const up = await upstream('none');
    const local = await cargohold([up.registry]);
    stops.push(() => local.server.stop());
    const sdk = local.server.ecr;

    const unlisted = await local.ecr(['create-pull-through-cache-rule', '--ecr-repository-prefix', 'xx', '--upstream-registry-url', '127.0.0.1:1']);
    await local.ecr(['create-pull-through-cache-rule', '--ecr-repository-prefix', 'ok', '--upstream-registry-url', up.registry]);
    const again = await local.ecr(['create-pull-through-cache-rule', '--ecr-repository-prefix', 'ok/', '--upstream-registry-url', up.registry]);
    const described = await local.ecr(['describe-pull-through-cache-rules']);
    const full = await sdk.send(new DescribePullThroughCacheRulesCommand({ ecrRepositoryPrefixes: ['ok'] }));
    const validated = await sdk.send(new ValidatePullThroughCacheRuleCommand({ ecrRepositoryPrefix: 'ok' }));
    const missingSecret = await awsErrorName(() => sdk.send(new UpdatePullThroughCacheRuleCommand({ ecrRepositoryPrefix: 'ok', credentialArn: ARN('nope') })));
    const deleted = await local.ecr(['delete-pull-through-cache-rule', '--ecr-repository-prefix', 'ok']);
    const gone = await local.ecr(['describe-pull-through-cache-rules', '--ecr-repository-prefixes', 'ok']);

    expect(unlisted).toEqual({ error: 'UnsupportedUpstreamRegistryException' });
    expect(again).toEqual({ error: 'PullThroughCacheRuleAlreadyExistsException' });
    expect(described).toEqual({
      pullThroughCacheRules: [{ ecrRepositoryPrefix: 'ok', upstreamRegistryUrl: up.registry, registryId: '000000000000', createdAt: expect.any(String) }],
    });
    expect(full.pullThroughCacheRules).toEqual([
      {
        ecrRepositoryPrefix: 'ok',
        upstreamRegistryUrl: up.registry,
        upstreamRepositoryPrefix: 'ROOT',
        registryId: '000000000000',
        createdAt: expect.any(Date),
        updatedAt: expect.any(Date),
      },
    ]);
    expect(validated).toMatchObject({ ecrRepositoryPrefix: 'ok', upstreamRegistryUrl: up.registry, isValid: true });
    expect(missingSecret).toBe('SecretNotFoundException');
    expect(deleted).toMatchObject({ ecrRepositoryPrefix: 'ok', upstreamRegistryUrl: up.registry });
    expect(gone).toEqual({ error: 'PullThroughCacheRuleNotFoundException' });
  });
});

describeIf('pull-through cache: another cargohold with ECR token auth as the upstream', () => {
  let upstream: EcrTestServer;
  let local: Awaited<ReturnType<typeof cargohold>>;
  let pushed: Awaited<ReturnType<RegistryClient['pushImage']>>;
  beforeAll(async () => {
    upstream = await startEcrTestServer();
    pushed = await upstream.v2.pushImage('team/app', 'v1');
    const host = upstream.t.server.url.replace('http://', '');
    // The secret holds `AWS` and a token from the upstream's GetAuthorizationToken (valid 12 hours).
    local = await cargohold([host], { [ARN('ecr')]: { username: 'AWS', accessToken: await loginPassword(upstream.ecr) } });
    await local.server.ecr.send(new CreatePullThroughCacheRuleCommand({ ecrRepositoryPrefix: 'mirror', upstreamRegistryUrl: host, credentialArn: ARN('ecr') }));
  });
  afterAll(async () => {
    await local?.server.stop();
    await upstream?.stop();
  });

  it('pulls an image of the upstream cargohold through the cache, byte-exact', async () => {
    const manifest = await local.inspect('mirror/team/app:v1');
    await local.copy('mirror/team/app:v1', await mkdtemp(join(tmpdir(), 'cargohold-ptc-ecr-')));

    expect(Buffer.from(manifest).equals(pushed.body)).toBe(true);
    expect(sha256(Buffer.from(manifest))).toBe(pushed.digest);
  });
});

describeIf('pull-through cache: another cargohold as the upstream, with access keys in the secret', () => {
  let upstream: EcrTestServer;
  let local: Awaited<ReturnType<typeof cargohold>>;
  let pushed: Awaited<ReturnType<RegistryClient['pushImage']>>;
  let host: string;
  beforeAll(async () => {
    upstream = await startEcrTestServer();
    pushed = await upstream.v2.pushImage('team/app', 'v1');
    host = upstream.t.server.url.replace('http://', '');
    // Keys never expire the way a 12-hour token does: each pull exchanges them for the upstream's token
    // (GetAuthorizationToken, SigV4), cached until shortly before it expires.
    local = await cargohold([host], {
      [ARN('keys')]: { accessKeyId: 'test', secretAccessKey: 'test' },
      [ARN('wrong-keys')]: { accessKeyId: 'test', secretAccessKey: 'not-the-secret' },
    });
    await local.server.ecr.send(new CreatePullThroughCacheRuleCommand({ ecrRepositoryPrefix: 'keys', upstreamRegistryUrl: host, credentialArn: ARN('keys') }));
    await local.server.ecr.send(
      new CreatePullThroughCacheRuleCommand({ ecrRepositoryPrefix: 'wrong', upstreamRegistryUrl: host, credentialArn: ARN('wrong-keys') }),
    );
  });
  afterAll(async () => {
    await local?.server.stop();
    await upstream?.stop();
  });

  it('exchanges the keys for the upstream’s token and pulls an image through the cache, byte-exact', async () => {
    const validated = await local.server.ecr.send(new ValidatePullThroughCacheRuleCommand({ ecrRepositoryPrefix: 'keys' }));
    const manifest = await local.inspect('keys/team/app:v1');
    const dir = await mkdtemp(join(tmpdir(), 'cargohold-ptc-keys-'));
    await local.copy('keys/team/app:v1', dir);
    const copied = await readdir(dir);

    expect(validated.isValid).toBe(true);
    expect(Buffer.from(manifest).equals(pushed.body)).toBe(true);
    expect(copied).toEqual(expect.arrayContaining([pushed.configDigest, pushed.layerDigest].map((digest) => digest.slice('sha256:'.length))));
    await rm(dir, { recursive: true, force: true });
  });

  it('says a rule whose keys the upstream refuses is not valid, and caches nothing through it', async () => {
    const validated = await local.server.ecr.send(new ValidatePullThroughCacheRuleCommand({ ecrRepositoryPrefix: 'wrong' }));
    const pull = local.inspect('wrong/team/app:v1');
    await expect(pull).rejects.toThrow();
    const repositories = await local.ecr(['describe-images', '--repository-name', 'wrong/team/app']).catch(() => undefined);

    expect(validated.isValid).toBe(false);
    expect(validated.failure).toMatch(/GetAuthorizationToken/);
    expect(JSON.stringify(repositories ?? {})).not.toContain(pushed.digest);
  });
});
