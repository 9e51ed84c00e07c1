import {
  CompleteLayerUploadCommand,
  CreateRepositoryCommand,
  InitiateLayerUploadCommand,
  ListTagsForResourceCommand,
  TagResourceCommand,
  DescribeImagesCommand,
  DescribeRepositoriesCommand,
  GetAccountSettingCommand,
  BatchDeleteImageCommand,
  ListImagesCommand,
  PutAccountSettingCommand,
  SetRepositoryPolicyCommand,
  PutImageCommand,
  type ECRClient,
  type ImageIdentifier,
} from '@aws-sdk/client-ecr';
import { awsErrorName } from './testing/ecr-client';
import { type RegistryClient } from './testing/registry-client';
import { startEcrTestServer } from './testing/test-server';

/**
 * Where cargohold used to differ from ECR (issue 12, section 3), each driven through @aws-sdk/client-ecr
 * against a real server and asserted in ECR's shapes and error names.
 */
describe('ECR API fidelity', () => {
  let ecr: ECRClient;
  let v2: RegistryClient;
  let stop: () => Promise<void>;
  beforeAll(async () => ({ ecr, v2, stop } = await startEcrTestServer()));
  afterAll(() => stop());

  describe('cross-repository mounts', () => {
    const mount = (target: string, digest: string, from: string) => v2.send('POST', `/v2/${target}/blobs/uploads/?mount=${digest}&from=${from}`);

    it('are opt-in: BLOB_MOUNTING is DISABLED on a fresh registry and a mount answers 202 (upload)', async () => {
      const image = await v2.pushImage('optin/source', 'v1');

      expect(await ecr.send(new GetAccountSettingCommand({ name: 'BLOB_MOUNTING' }))).toMatchObject({ name: 'BLOB_MOUNTING', value: 'DISABLED' });
      expect((await mount('optin/target', image.layerDigest, 'optin/source')).status).toBe(202);
    });

    // "Repositories must use identical encryption type and keys"
    // (https://docs.aws.amazon.com/AmazonECR/latest/userguide/blob-mounting.html): otherwise an upload.
    it('fall back to an upload (202) between repositories with different encryption', async () => {
      await ecr.send(new PutAccountSettingCommand({ name: 'BLOB_MOUNTING', value: 'ENABLED' }));
      const key = (id: string) => `arn:aws:kms:us-east-1:000000000000:key/${id}`;
      await ecr.send(new CreateRepositoryCommand({ repositoryName: 'enc/aes' }));
      await ecr.send(new CreateRepositoryCommand({ repositoryName: 'enc/kms-a', encryptionConfiguration: { encryptionType: 'KMS', kmsKey: key('a') } }));
      await ecr.send(new CreateRepositoryCommand({ repositoryName: 'enc/kms-a2', encryptionConfiguration: { encryptionType: 'KMS', kmsKey: key('a') } }));
      await ecr.send(new CreateRepositoryCommand({ repositoryName: 'enc/kms-b', encryptionConfiguration: { encryptionType: 'KMS', kmsKey: key('b') } }));
      const fromAes = await v2.pushImage('enc/aes', 'v1', 'enc-aes');
      const fromKms = await v2.pushImage('enc/kms-a', 'v1', 'enc-kms');

      expect((await mount('enc/kms-b', fromAes.layerDigest, 'enc/aes')).status).toBe(202);
      expect((await mount('enc/kms-b', fromKms.layerDigest, 'enc/kms-a')).status).toBe(202);
      expect((await mount('enc/kms-a2', fromKms.layerDigest, 'enc/kms-a')).status).toBe(201);
      expect((await mount('enc/aes-too', fromAes.layerDigest, 'enc/aes')).status).toBe(201);
    });
  });

  // PutAccountSetting: "Valid values for basic scan type: AWS_NATIVE or CLAIR. Valid values for registry
  // policy scope: V1 or V2. Valid values for blob mounting: ENABLED or DISABLED"
  // (https://docs.aws.amazon.com/AmazonECR/latest/APIReference/API_PutAccountSetting.html).
  describe('account settings', () => {
    it.each([
      ['BASIC_SCAN_TYPE_VERSION', 'AWS_NATIVE', 'CLAIR'],
      ['REGISTRY_POLICY_SCOPE', 'V2', 'V1'],
    ])('%s answers ECR’s default (%s) until put, then the value put', async (name, fallback, value) => {
      expect(await ecr.send(new GetAccountSettingCommand({ name }))).toMatchObject({ name, value: fallback });
      expect(await ecr.send(new PutAccountSettingCommand({ name, value }))).toMatchObject({ name, value });
      expect(await ecr.send(new GetAccountSettingCommand({ name }))).toMatchObject({ name, value });
      expect(await awsErrorName(() => ecr.send(new PutAccountSettingCommand({ name, value: 'V3' })))).toBe('InvalidParameterException');
      await ecr.send(new PutAccountSettingCommand({ name, value: fallback }));
    });
  });

  it('reports the AWS-managed key for KMS encryption without a key', async () => {
    const { repository } = await ecr.send(new CreateRepositoryCommand({ repositoryName: 'kms/default', encryptionConfiguration: { encryptionType: 'KMS' } }));
    const described = await ecr.send(new DescribeRepositoriesCommand({ repositoryNames: ['kms/default'] }));

    const expected = { encryptionType: 'KMS', kmsKey: 'arn:aws:kms:us-east-1:000000000000:alias/aws/ecr' };
    expect(repository?.encryptionConfiguration).toEqual(expected);
    expect(described.repositories?.[0]?.encryptionConfiguration).toEqual(expected);
  });

  describe('tags at creation, validated exactly as TagResource validates them', () => {
    const long = (n: number) => 'x'.repeat(n);
    it.each([
      ['a reserved aws: key', [{ Key: 'aws:x', Value: 'v' }], 'InvalidTagParameterException'],
      [
        'a key given twice',
        [
          { Key: 'team', Value: 'a' },
          { Key: 'team', Value: 'b' },
        ],
        'InvalidTagParameterException',
      ],
      ['a key over 128 characters', [{ Key: long(129), Value: 'v' }], 'InvalidTagParameterException'],
      ['a value over 256 characters', [{ Key: 'k', Value: long(257) }], 'InvalidTagParameterException'],
      ['more than 50 tags', Array.from({ length: 51 }, (_, i) => ({ Key: `k${i}`, Value: 'v' })), 'TooManyTagsException'],
    ])('refuses %s on CreateRepository and on TagResource alike', async (_case, tags, error) => {
      const { repository } = await ecr.send(new CreateRepositoryCommand({ repositoryName: `tags/${_case.replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '')}` }));
      const resourceArn = repository?.repositoryArn as string;

      expect(await awsErrorName(() => ecr.send(new CreateRepositoryCommand({ repositoryName: 'tags/refused', tags })))).toBe(error);
      expect(await awsErrorName(() => ecr.send(new TagResourceCommand({ resourceArn, tags })))).toBe(error);
      expect(await awsErrorName(() => ecr.send(new DescribeRepositoriesCommand({ repositoryNames: ['tags/refused'] })))).toBe('RepositoryNotFoundException');
      expect((await ecr.send(new ListTagsForResourceCommand({ resourceArn }))).tags).toEqual([]);
    });
  });

  // "EmptyUploadException: The specified layer upload does not contain any layer parts"
  // (https://docs.aws.amazon.com/AmazonECR/latest/APIReference/API_CompleteLayerUpload.html).
  it('answers EmptyUploadException for CompleteLayerUpload of an upload with no parts', async () => {
    await ecr.send(new CreateRepositoryCommand({ repositoryName: 'layers/empty' }));
    const { uploadId } = await ecr.send(new InitiateLayerUploadCommand({ repositoryName: 'layers/empty' }));
    const digest = `sha256:${'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855'}`;

    const error = await ecr.send(new CompleteLayerUploadCommand({ repositoryName: 'layers/empty', uploadId, layerDigests: [digest] })).catch((e: Error) => e);

    expect(error).toMatchObject({ name: 'EmptyUploadException' });
  });

  describe('repository policies', () => {
    const statement = { Sid: 'pull', Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::111111111111:root' }, Action: ['ecr:BatchGetImage'] };
    const policy = (extra: Record<string, unknown>) => JSON.stringify({ Version: '2012-10-17', Statement: [{ ...statement, ...extra }] });

    it.each([
      ['a Resource', { Resource: 'arn:aws:ecr:us-east-1:000000000000:repository/policy/app' }],
      ['an action outside ecr:', { Action: ['ecr:BatchGetImage', 's3:GetObject'] }],
    ])('refuses a statement with %s: InvalidParameterException "Invalid repository policy provided"', async (_case, extra) => {
      await ecr.send(new CreateRepositoryCommand({ repositoryName: 'policy/app' })).catch(() => undefined);

      const error = await ecr.send(new SetRepositoryPolicyCommand({ repositoryName: 'policy/app', policyText: policy(extra) })).catch((e: Error) => e);

      expect(error).toMatchObject({ name: 'InvalidParameterException', message: expect.stringContaining('Invalid repository policy provided') });
    });

    it('accepts ecr: actions and ecr:* without a Resource', async () => {
      await ecr.send(new CreateRepositoryCommand({ repositoryName: 'policy/ok' }));
      const policyText = policy({ Action: ['ecr:BatchGetImage', 'ecr:*'] });

      expect(await ecr.send(new SetRepositoryPolicyCommand({ repositoryName: 'policy/ok', policyText }))).toMatchObject({ policyText });
    });
  });

  describe('error messages in ECR’s words', () => {
    const failure = (fn: () => Promise<unknown>) =>
      fn().then(
        () => ({ name: 'no error', message: '' }),
        (e: Error) => ({ name: e.name, message: e.message }),
      );

    it('names the repository and the registry in RepositoryNotFoundException', async () => {
      expect(await failure(() => ecr.send(new DescribeRepositoriesCommand({ repositoryNames: ['no/such'] })))).toEqual({
        name: 'RepositoryNotFoundException',
        message: "The repository with name 'no/such' does not exist in the registry with id '000000000000'",
      });
      expect(await failure(() => ecr.send(new ListImagesCommand({ repositoryName: 'no/such' })))).toEqual({
        name: 'RepositoryNotFoundException',
        message: "The repository with name 'no/such' does not exist in the registry with id '000000000000'",
      });
    });

    it.each([
      [
        'maxResults over its bound',
        () => ecr.send(new DescribeRepositoriesCommand({ maxResults: 1001 })),
        "Invalid parameter at 'maxResults' failed to satisfy constraint: 'Member must have value less than or equal to 1000'",
      ],
      [
        'a list too long',
        () => ecr.send(new BatchDeleteImageCommand({ repositoryName: 'x/y', imageIds: Array.from({ length: 101 }, (_, i) => ({ imageTag: `t${i}` })) })),
        "Invalid parameter at 'imageIds' failed to satisfy constraint: 'Member must have length less than or equal to 100'",
      ],
      [
        'a repository name out of pattern',
        () => ecr.send(new CreateRepositoryCommand({ repositoryName: 'Upper/Case' })),
        "Invalid parameter at 'repositoryName' failed to satisfy constraint: 'must satisfy regular expression '(?:[a-z0-9]+(?:[._-][a-z0-9]+)*/)*[a-z0-9]+(?:[._-][a-z0-9]+)*''",
      ],
      [
        'a repository name too short',
        () => ecr.send(new CreateRepositoryCommand({ repositoryName: 'a' })),
        "Invalid parameter at 'repositoryName' failed to satisfy constraint: 'must have length greater than or equal to 2'",
      ],
      [
        'a value outside an enum',
        () => ecr.send(new ListImagesCommand({ repositoryName: 'x/y', filter: { tagStatus: 'SOME' as never } })),
        "Invalid parameter at 'filter.tagStatus' failed to satisfy constraint: 'Member must satisfy enum value set: [TAGGED, UNTAGGED, ANY]'",
      ],
    ])('words %s as ECR does (InvalidParameterException)', async (_case, call, message) => {
      expect(await failure(call)).toEqual({ name: 'InvalidParameterException', message });
    });
  });

  describe('pagination', () => {
    // ListImages: "maxResults: The maximum number of image results returned by ListImages in paginated
    // output" (https://docs.aws.amazon.com/AmazonECR/latest/APIReference/API_ListImages.html): image ids,
    // so an image with three tags is three results.
    it('bounds ListImages pages by image ids, one per page with maxResults 1', async () => {
      const image = await v2.pushImage('paging/multi', 't1');
      for (const tag of ['t2', 't3'])
        await ecr.send(new PutImageCommand({ repositoryName: 'paging/multi', imageManifest: image.body.toString(), imageTag: tag }));
      const seen: ImageIdentifier[] = [];
      let nextToken: string | undefined;
      do {
        const page = await ecr.send(new ListImagesCommand({ repositoryName: 'paging/multi', maxResults: 1, ...(nextToken ? { nextToken } : {}) }));
        expect(page.imageIds).toHaveLength(1);
        seen.push(...(page.imageIds ?? []));
        nextToken = page.nextToken;
      } while (nextToken);
      expect(seen.map((id) => id.imageTag).sort()).toEqual(['t1', 't2', 't3']);
      expect(new Set(seen.map((id) => id.imageDigest))).toEqual(new Set([image.digest]));
    });

    it('rejects an unparseable, tampered or foreign nextToken with InvalidParameterException', async () => {
      for (const name of ['paging/a1', 'paging/a2', 'paging/a3']) await ecr.send(new CreateRepositoryCommand({ repositoryName: name }));
      const first = await ecr.send(new DescribeRepositoriesCommand({ maxResults: 1 }));
      const token = first.nextToken as string;
      const tampered = `${token.slice(0, -2)}${token.endsWith('AA') ? 'BB' : 'AA'}`;
      const describe = (nextToken: string) => ecr.send(new DescribeRepositoriesCommand({ maxResults: 1, nextToken }));

      expect(await awsErrorName(() => describe('not-a-token'))).toBe('InvalidParameterException');
      expect(await awsErrorName(() => describe(tampered))).toBe('InvalidParameterException');
      expect(await awsErrorName(() => ecr.send(new DescribeImagesCommand({ repositoryName: 'paging/a1', nextToken: token })))).toBe(
        'InvalidParameterException',
      );
      expect((await describe(token)).repositories).toHaveLength(1);
    });

    it('issues opaque tokens that do not name the repositories they page over', async () => {
      const first = await ecr.send(new DescribeRepositoriesCommand({ maxResults: 1 }));
      const name = first.repositories?.[0]?.repositoryName as string;
      expect(Buffer.from(first.nextToken as string, 'base64url').toString('latin1')).not.toContain(name);
      expect(first.nextToken).not.toContain(name);
    });
  });
});
