import {
  CreateRepositoryCommand,
  DeleteRegistryPolicyCommand,
  DescribeRegistryCommand,
  GetAccountSettingCommand,
  GetAuthorizationTokenCommand,
  GetRegistryPolicyCommand,
  PutAccountSettingCommand,
  PutImageTagMutabilityCommand,
  PutRegistryPolicyCommand,
  type ECRClient,
} from '@aws-sdk/client-ecr';
import { awsErrorName } from './testing/ecr-client';
import { OCI_MANIFEST, type RegistryClient } from './testing/registry-client';
import { startEcrTestServer, type TestServer } from './testing/test-server';

describe('ECR API: registry, tokens, settings and tag immutability', () => {
  let t: TestServer;
  let ecr: ECRClient;
  let v2: RegistryClient;
  let stop: () => Promise<void>;
  beforeAll(async () => ({ t, ecr, v2, stop } = await startEcrTestServer()));
  afterAll(() => stop());

  it('returns base64(AWS:<token>) valid for 12 hours with a usable proxy endpoint', async () => {
    const { authorizationData } = await ecr.send(new GetAuthorizationTokenCommand({}));
    const data = authorizationData?.[0];
    expect(Buffer.from(data?.authorizationToken ?? '', 'base64').toString()).toMatch(/^AWS:v1\./);
    const hours = ((data?.expiresAt as Date).getTime() - Date.now()) / 3_600_000;
    expect(hours).toBeGreaterThan(11.9);
    expect(hours).toBeLessThanOrEqual(12);
    expect(data?.proxyEndpoint).toBe(t.server.url);
  });

  it('stores, returns and deletes the registry policy and describes the registry', async () => {
    expect(await awsErrorName(() => ecr.send(new GetRegistryPolicyCommand({})))).toBe('RegistryPolicyNotFoundException');
    const policyText = JSON.stringify({
      Version: '2012-10-17',
      Statement: [
        {
          Sid: 'Replication',
          Effect: 'Allow',
          Principal: { AWS: 'arn:aws:iam::111111111111:root' },
          Action: ['ecr:CreateRepository', 'ecr:ReplicateImage'],
          Resource: 'arn:aws:ecr:us-east-1:000000000000:repository/*',
        },
      ],
    });
    expect(await ecr.send(new PutRegistryPolicyCommand({ policyText }))).toMatchObject({ registryId: '000000000000', policyText });
    expect((await ecr.send(new GetRegistryPolicyCommand({}))).policyText).toBe(policyText);
    expect((await ecr.send(new DeleteRegistryPolicyCommand({}))).policyText).toBe(policyText);
    expect(await awsErrorName(() => ecr.send(new PutRegistryPolicyCommand({ policyText: '{"Statement":"nope"}' })))).toBe('InvalidParameterException');
    expect(await ecr.send(new DescribeRegistryCommand({}))).toMatchObject({ registryId: '000000000000', replicationConfiguration: { rules: [] } });
  });

  it('lets BLOB_MOUNTING govern cross-repository mounts', async () => {
    const image = await v2.pushImage('mount/source', 'v1');
    // Opt-in on ECR (https://docs.aws.amazon.com/AmazonECR/latest/userguide/blob-mounting.html).
    expect((await ecr.send(new GetAccountSettingCommand({ name: 'BLOB_MOUNTING' }))).value).toBe('DISABLED');
    await ecr.send(new PutAccountSettingCommand({ name: 'BLOB_MOUNTING', value: 'DISABLED' }));
    const refused = await v2.send('POST', `/v2/mount/target/blobs/uploads/?mount=${image.layerDigest}&from=mount/source`);
    expect(refused.status).toBe(202);
    await ecr.send(new PutAccountSettingCommand({ name: 'BLOB_MOUNTING', value: 'ENABLED' }));
    const mounted = await v2.send('POST', `/v2/mount/target/blobs/uploads/?mount=${image.layerDigest}&from=mount/source`);
    expect(mounted.status).toBe(201);
    expect(await awsErrorName(() => ecr.send(new PutAccountSettingCommand({ name: 'BLOB_MOUNTING', value: 'MAYBE' })))).toBe('InvalidParameterException');
    expect(await awsErrorName(() => ecr.send(new GetAccountSettingCommand({ name: 'NO_SUCH_SETTING' })))).toBe('InvalidParameterException');
  });

  it.each([
    ['IMMUTABLE', [], { v1: false, latest: false }],
    ['MUTABLE', [], { v1: true, latest: true }],
    ['IMMUTABLE_WITH_EXCLUSION', [{ filterType: 'WILDCARD', filter: 'lat*' }], { v1: false, latest: true }],
    ['MUTABLE_WITH_EXCLUSION', [{ filterType: 'WILDCARD', filter: 'v*' }], { v1: false, latest: true }],
  ] as const)('enforces %s on /v2/ pushes', async (mode, filters, movable) => {
    const name = `immut/${mode.toLowerCase().replace(/_/g, '-')}`;
    await ecr.send(new CreateRepositoryCommand({ repositoryName: name }));
    await v2.pushImage(name, 'v1', 'first');
    await v2.pushImage(name, 'latest', 'first');
    await ecr.send(
      new PutImageTagMutabilityCommand({
        repositoryName: name,
        imageTagMutability: mode,
        ...(filters.length > 0 ? { imageTagMutabilityExclusionFilters: [...filters] } : {}),
      }),
    );
    for (const tag of ['v1', 'latest'] as const) {
      const again = await v2.pushImage(name, `${tag}-other`, 'second');
      const moved = await v2.putManifest(name, tag, again.body.toString(), OCI_MANIFEST);
      if (movable[tag]) {
        expect(moved.res.status).toBe(201);
      } else {
        expect(moved.res.status).toBe(400);
        expect(moved.res.json()).toMatchObject({ errors: [{ code: 'TAG_INVALID' }] });
      }
    }
  });
});
