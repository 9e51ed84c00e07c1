import { DescribeImagesCommand, UpdateImageStorageClassCommand } from '@aws-sdk/client-ecr';
import { awsCli } from './testing/aws-cli';
import { OCI_MANIFEST } from './testing/registry-client';
import { startEcrTestServer, type EcrTestServer } from './testing/test-server';

jest.setTimeout(120_000);

const rule = (rulePriority: number, selection: object) => ({ rulePriority, description: `rule ${rulePriority}`, selection, action: { type: 'expire' } });
/** Keep the newest untagged image and the five newest `v*` images; expire the rest of those. */
const POLICY = JSON.stringify({
  rules: [
    rule(1, { tagStatus: 'untagged', countType: 'imageCountMoreThan', countNumber: 1 }),
    rule(2, { tagStatus: 'tagged', tagPrefixList: ['v'], countType: 'imageCountMoreThan', countNumber: 5 }),
  ],
});

interface Preview {
  status: string;
  previewResults: { imageDigest: string; imageTags?: string[]; action: { type: string }; appliedRulePriority: number }[];
  summary: { expiringImageTotalCount: number };
  nextToken?: string;
}

/**
 * The lifecycle journey with the AWS CLI v2: push 12 tagged images and untagged ones, preview a policy
 * before applying it, put it, let the embedded sweeper (1 s after the put) expire exactly what the preview
 * listed, and see the rest in describe-images.
 */
describe('ECR API: lifecycle policies, end to end with the AWS CLI', () => {
  let s: EcrTestServer;
  let ecr: ReturnType<typeof awsCli>;
  beforeAll(async () => {
    s = await startEcrTestServer({ lifecycle: { sweepAfterPutSeconds: 1 } });
    ecr = awsCli(s.t.server.url);
  });
  afterAll(() => s.stop());

  it('previews, sweeps exactly the previewed images, and keeps the rest', async () => {
    await ecr(['create-repository', '--repository-name', 'team/app']);
    // Five pushes move one tag: the first four become untagged, the fifth keeps `moving` (no `v` prefix).
    const moved: string[] = [];
    for (let i = 0; i < 5; i++) moved.push((await s.v2.pushImage('team/app', 'moving', `moved-${i}`)).digest);
    const tagged: string[] = [];
    for (let i = 1; i <= 12; i++) tagged.push((await s.v2.pushImage('team/app', `v${i}`)).digest);
    const expiring = [...moved.slice(0, 3), ...tagged.slice(0, 7)].sort();
    const kept = [moved[3], moved[4], ...tagged.slice(7)].sort();

    await ecr(['start-lifecycle-policy-preview', '--repository-name', 'team/app', '--lifecycle-policy-text', POLICY]);
    const first = await ecr<Preview>(['get-lifecycle-policy-preview', '--repository-name', 'team/app', '--max-results', '4', '--no-paginate']);
    const preview = await ecr<Preview>(['get-lifecycle-policy-preview', '--repository-name', 'team/app']);

    expect(preview.status).toBe('COMPLETE');
    expect(preview.summary.expiringImageTotalCount).toBe(10);
    expect(preview.previewResults.map((r) => r.imageDigest).sort()).toEqual(expiring);
    expect(preview.previewResults.find((r) => r.imageDigest === tagged[0])).toMatchObject({
      imageTags: ['v1'],
      action: { type: 'EXPIRE' },
      appliedRulePriority: 2,
    });
    expect(first.previewResults).toHaveLength(4);
    expect(first.nextToken).toEqual(expect.any(String));
    expect((await ecr<{ imageDetails: unknown[] }>(['describe-images', '--repository-name', 'team/app'])).imageDetails).toHaveLength(17);

    await ecr(['put-lifecycle-policy', '--repository-name', 'team/app', '--lifecycle-policy-text', POLICY]);
    let policy: { lastEvaluatedAt?: string; lifecyclePolicyText: string } = { lifecyclePolicyText: '' };
    for (let i = 0; i < 60 && policy.lastEvaluatedAt === undefined; i++) {
      policy = await ecr(['get-lifecycle-policy', '--repository-name', 'team/app']);
      if (policy.lastEvaluatedAt === undefined) await new Promise((resolve) => setTimeout(resolve, 250));
    }

    expect(policy.lifecyclePolicyText).toBe(POLICY);
    expect(policy.lastEvaluatedAt).toEqual(expect.any(String));
    const described = await ecr<{ imageDetails: { imageDigest: string }[] }>(['describe-images', '--repository-name', 'team/app']);
    expect(described.imageDetails.map((d) => d.imageDigest).sort()).toEqual(kept);
  });

  it('archives an image: /v2/ pulls are DENIED, BatchGetImage fails it; restoring makes it pullable again', async () => {
    const { digest } = await s.v2.pushImage('archive/app', 'v1');
    const sdkDescribe = async () => (await s.ecr.send(new DescribeImagesCommand({ repositoryName: 'archive/app' }))).imageDetails?.[0];

    const archived = await s.ecr.send(
      new UpdateImageStorageClassCommand({ repositoryName: 'archive/app', imageId: { imageTag: 'v1' }, targetStorageClass: 'ARCHIVE' }),
    );
    const pull = await s.v2.send('GET', '/v2/archive/app/manifests/v1', { headers: { Accept: OCI_MANIFEST } });
    const batch = await ecr<{ failures: { failureCode: string }[] }>(['batch-get-image', '--repository-name', 'archive/app', '--image-ids', 'imageTag=v1']);

    expect(archived.imageStatus).toBe('ARCHIVED');
    expect(await sdkDescribe()).toMatchObject({ imageDigest: digest, imageStatus: 'ARCHIVED', lastArchivedAt: expect.any(Date) });
    expect(pull.status).toBe(403);
    expect(pull.json<{ errors: { code: string; message: string }[] }>().errors[0]).toMatchObject({
      code: 'DENIED',
      message: expect.stringContaining('archived'),
    });
    expect(batch.failures).toEqual([expect.objectContaining({ failureCode: 'ImageInaccessible' })]);

    const restored = await s.ecr.send(
      new UpdateImageStorageClassCommand({ repositoryName: 'archive/app', imageId: { imageDigest: digest }, targetStorageClass: 'STANDARD' }),
    );

    expect(restored.imageStatus).toBe('ACTIVE');
    expect(await sdkDescribe()).toMatchObject({ imageStatus: 'ACTIVE', lastActivatedAt: expect.any(Date) });
    expect((await s.v2.send('GET', '/v2/archive/app/manifests/v1', { headers: { Accept: OCI_MANIFEST } })).status).toBe(200);
  });
});
