import {
  CreateRepositoryCommand,
  DescribeImagesCommand,
  DescribeRepositoriesCommand,
  ListImagesCommand,
  PutImageCommand,
  type ECRClient,
  type ImageIdentifier,
} from '@aws-sdk/client-ecr';
import { awsErrorName, ecrClient, loginPassword } from './testing/ecr-client';
import { type RegistryClient } from './testing/registry-client';
import { startTestServer, type TestServer } from './testing/test-server';

/**
 * Where cargohold used to differ from ECR (issue 12, section 3), each driven through @aws-sdk/client-ecr
 * against a real server and asserted in ECR's shapes and error names.
 */
describe('ECR API fidelity', () => {
  let t: TestServer;
  let ecr: ECRClient;
  let v2: RegistryClient;
  beforeAll(async () => {
    t = await startTestServer({}, { allowAnonymous: false });
    ecr = ecrClient(t.server.url);
    v2 = t.client.withToken(await loginPassword(ecr));
  });
  afterAll(async () => {
    ecr.destroy();
    await t.stop();
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
