import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { ConfigFile } from './config';
import { OCI_INDEX, OCI_MANIFEST, sha256, type RegistryClient } from './testing/registry-client';
import { startHostProxy, type HostProxy } from './testing/host-proxy';
import { skopeoAvailable, writeOciLayout } from './testing/skopeo';
import { startEcrTestServer, type EcrTestServer } from './testing/test-server';

const SOURCE = '000000000000';
const OTHER = '111111111111';
const ADMIN = { accessKeyId: 'test', secretAccessKey: 'test' };
const BOB = { accessKeyId: 'BOB', secretAccessKey: 'BOB-secret' };
const ALLOW_ALL = [{ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] }];
const CONFIG: ConfigFile = {
  identities: {
    accounts: [
      { id: SOURCE, region: 'us-east-1', users: [{ name: 'admin', accessKeys: [ADMIN], policies: ALLOW_ALL }] },
      { id: OTHER, region: 'us-east-1', users: [{ name: 'bob', accessKeys: [BOB], policies: ALLOW_ALL }] },
    ],
  },
};
/** What the destination account grants the source (ECR's documented cross-account replication policy). */
const REPLICATION_POLICY = JSON.stringify({
  Version: '2012-10-17',
  Statement: [
    {
      Sid: 'ReplicationAccess',
      Effect: 'Allow',
      Principal: { AWS: `arn:aws:iam::${SOURCE}:root` },
      Action: ['ecr:CreateRepository', 'ecr:ReplicateImage'],
      Resource: `arn:aws:ecr:us-east-1:${OTHER}:repository/*`,
    },
  ],
});

const run = promisify(execFile);
const describeIf = skopeoAvailable() ? describe : describe.skip;

/**
 * Registry replication through the AWS CLI v2 and skopeo against one embedded server, where every
 * (account, region) is a registry: us-east-1 → us-west-2 in the same account, and → another account
 * whose registry policy allows it.
 */
describeIf('ECR API: replication across regions and accounts', () => {
  let s: EcrTestServer;
  let proxy: HostProxy;
  let work: string;
  beforeAll(async () => {
    s = await startEcrTestServer(CONFIG);
    proxy = await startHostProxy(s.t.server.url);
    work = await mkdtemp(join(tmpdir(), 'cargohold-replication-'));
  });
  afterAll(async () => {
    await proxy.close();
    await s.stop();
    await rm(work, { recursive: true, force: true });
  });

  const port = () => new URL(s.t.server.url).port;
  const hostOf = (account: string, region: string) => `${account}.dkr.ecr.${region}.localhost:${port()}`;
  const aws = async (args: string[], credentials = ADMIN, region = 'us-east-1') => {
    const env = { PATH: process.env['PATH'] ?? '', HOME: work, AWS_ACCESS_KEY_ID: credentials.accessKeyId, AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey };
    const { stdout } = await run('/usr/bin/aws', ['ecr', ...args, '--endpoint-url', s.t.server.url, '--region', region, '--output', 'json'], {
      env: { ...env, AWS_PAGER: '', AWS_CONFIG_FILE: '/dev/null', AWS_SHARED_CREDENTIALS_FILE: '/dev/null', AWS_EC2_METADATA_DISABLED: 'true' },
    });
    return stdout.trim() === '' ? {} : (JSON.parse(stdout) as Record<string, unknown>);
  };
  const awsError = (args: string[]) =>
    aws(args).then(
      () => 'no error',
      (error: { stderr?: string }) => /An error occurred \((\w+)\)/.exec(error.stderr ?? '')?.[1] ?? String(error.stderr),
    );
  const password = async (credentials: typeof ADMIN, region: string) => {
    const env = { PATH: process.env['PATH'] ?? '', HOME: work, AWS_ACCESS_KEY_ID: credentials.accessKeyId, AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey };
    const { stdout } = await run('/usr/bin/aws', ['ecr', 'get-login-password', '--endpoint-url', s.t.server.url, '--region', region], {
      env: { ...env, AWS_CONFIG_FILE: '/dev/null', AWS_SHARED_CREDENTIALS_FILE: '/dev/null' },
    });
    return stdout.trim();
  };
  /** skopeo through the proxy, so `<account>.dkr.ecr.<region>.localhost` reaches the server. */
  const skopeo = (args: string[]) =>
    run('/usr/bin/skopeo', ['--insecure-policy', ...args], {
      env: { ...process.env, HTTP_PROXY: proxy.url, http_proxy: proxy.url, NO_PROXY: '', no_proxy: '' },
      timeout: 120_000,
    });
  const statuses = async (repositoryName: string, imageId: string) =>
    (
      (await aws(['describe-image-replication-status', '--repository-name', repositoryName, '--image-id', imageId])) as {
        replicationStatuses: { region: string; registryId: string; status: string; failureCode?: string }[];
      }
    ).replicationStatuses;
  const settled = async (repositoryName: string, imageId: string, count: number) => {
    for (let i = 0; i < 100; i++) {
      const now = await statuses(repositoryName, imageId);
      if (now.length === count && now.every((status) => status.status !== 'IN_PROGRESS')) return now;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    throw new Error(`replication of ${repositoryName} did not settle: ${JSON.stringify(await statuses(repositoryName, imageId))}`);
  };
  const configure = (destinations: { region: string; registryId: string }[], filters?: { filter: string; filterType: string }[]) =>
    aws([
      'put-replication-configuration',
      '--replication-configuration',
      JSON.stringify({ rules: [{ destinations, ...(filters ? { repositoryFilters: filters } : {}) }] }),
    ]);

  it('validates the configuration as ECR does: no self-destination, at most 10 rules, known filter types', async () => {
    const rule = (region: string) => ({ destinations: [{ region, registryId: SOURCE }] });
    const put = (rules: unknown[]) => awsError(['put-replication-configuration', '--replication-configuration', JSON.stringify({ rules })]);

    expect(await put([rule('us-east-1')])).toBe('ValidationException');
    expect(await put(Array.from({ length: 11 }, (_, i) => rule(`eu-west-${i + 1}`)))).toBe('InvalidParameterException');
    expect(await put([{ ...rule('us-west-2'), repositoryFilters: [{ filter: 'app', filterType: 'SUFFIX_MATCH' }] }])).toBe('InvalidParameterException');
    expect(await aws(['describe-registry'])).toEqual({ registryId: SOURCE, replicationConfiguration: { rules: [] } });
  });

  it('replicates a skopeo push to another region and another account; both pull the same digest', async () => {
    await aws(['put-registry-policy', '--policy-text', REPLICATION_POLICY], BOB);
    const destinations = [
      { region: 'us-west-2', registryId: SOURCE },
      { region: 'us-east-1', registryId: OTHER },
    ];
    await configure(destinations, [{ filter: 'team', filterType: 'PREFIX_MATCH' }]);
    expect(await aws(['describe-registry'])).toEqual({
      registryId: SOURCE,
      replicationConfiguration: { rules: [{ destinations, repositoryFilters: [{ filter: 'team', filterType: 'PREFIX_MATCH' }] }] },
    });

    const image = await writeOciLayout(join(work, 'src'), 'v1', [randomBytes(300_000), Buffer.from('second layer')]);
    const sourceCreds = `AWS:${await password(ADMIN, 'us-east-1')}`;
    await skopeo([
      'copy',
      '--preserve-digests',
      '--dest-tls-verify=false',
      '--dest-creds',
      sourceCreds,
      `oci:${join(work, 'src')}:v1`,
      `docker://${hostOf(SOURCE, 'us-east-1')}/team/app:v1`,
    ]);
    const digest = sha256(image.manifest);

    expect(await settled('team/app', `imageTag=v1`, 2)).toEqual([
      { region: 'us-east-1', registryId: OTHER, status: 'COMPLETE' },
      { region: 'us-west-2', registryId: SOURCE, status: 'COMPLETE' },
    ]);
    const pulls: [string, string][] = [
      [hostOf(SOURCE, 'us-west-2'), `AWS:${await password(ADMIN, 'us-west-2')}`],
      [hostOf(OTHER, 'us-east-1'), `AWS:${await password(BOB, 'us-east-1')}`],
    ];
    for (const [i, [host, creds]] of pulls.entries()) {
      const out = join(work, `out-${i}`);
      await skopeo(['copy', '--src-tls-verify=false', '--src-creds', creds, `docker://${host}/team/app@${digest}`, `dir:${out}`]);
      expect((await readFile(join(out, 'manifest.json'))).equals(image.manifest)).toBe(true);
      const { stdout } = await skopeo(['inspect', '--tls-verify=false', '--creds', creds, '--raw', `docker://${host}/team/app:v1`]);
      expect(sha256(stdout)).toBe(digest);
    }
  });

  it('ends FAILED with a failure code and writes nothing where the destination account allows nothing', async () => {
    await configure([{ region: 'us-west-2', registryId: OTHER }], [{ filter: 'denied', filterType: 'PREFIX_MATCH' }]);

    const { digest } = await s.v2.pushImage('denied/app', 'v1');

    expect(await settled('denied/app', `imageDigest=${digest}`, 1)).toEqual([
      { region: 'us-west-2', registryId: OTHER, status: 'FAILED', failureCode: 'REPLICATION_PERMISSION_DENIED' },
    ]);
    expect(await aws(['describe-repositories'], BOB, 'us-west-2')).toEqual({ repositories: [] });
  });

  it('replicates a multi-arch index with every platform, children before the index', async () => {
    await configure([{ region: 'us-west-2', registryId: SOURCE }], [{ filter: 'multi', filterType: 'PREFIX_MATCH' }]);
    const v2: RegistryClient = s.v2;
    const amd = await v2.pushImage('multi/app', 'amd64-only', 'amd64');
    const arm = await v2.pushImage('multi/app', 'arm64-only', 'arm64');
    const index = {
      schemaVersion: 2,
      mediaType: OCI_INDEX,
      manifests: [
        { mediaType: OCI_MANIFEST, digest: amd.digest, size: amd.size, platform: { architecture: 'amd64', os: 'linux' } },
        { mediaType: OCI_MANIFEST, digest: arm.digest, size: arm.size, platform: { architecture: 'arm64', os: 'linux' } },
      ],
    };
    const pushed = await v2.putManifest('multi/app', 'v1', index, OCI_INDEX);
    expect(pushed.res.status).toBe(201);

    expect(await settled('multi/app', 'imageTag=v1', 1)).toEqual([{ region: 'us-west-2', registryId: SOURCE, status: 'COMPLETE' }]);
    const creds = `AWS:${await password(ADMIN, 'us-west-2')}`;
    const out = join(work, 'multi');
    await skopeo([
      'copy',
      '--all',
      '--preserve-digests',
      '--src-tls-verify=false',
      '--src-creds',
      creds,
      `docker://${hostOf(SOURCE, 'us-west-2')}/multi/app:v1`,
      `oci:${out}:v1`,
    ]);
    const layout = JSON.parse(await readFile(join(out, 'index.json'), 'utf8')) as { manifests: { digest: string }[] };
    expect(layout.manifests.map((m) => m.digest)).toEqual([pushed.digest]);
    for (const child of [amd.digest, arm.digest]) await expect(readFile(join(out, 'blobs', 'sha256', child.slice(7)))).resolves.toBeInstanceOf(Buffer);
  });
});
