import { createMemoryStorage } from '@cargohold/storage-memory';
import { OCI_MANIFEST, ociImage, ociIndex } from '@cargohold/storage-testing';
import { batchDeleteImage, batchGetImage, describeImages, listImageReferrers, listImages, putImage } from './image-actions';
import { actionHarness as harnessOver, type HarnessOptions, NOW, OWNER, REGISTRY } from './spec-helpers';

/** Each spec's own registry over memory storage. */
const actionHarness = (options: HarnessOptions = {}) => harnessOver(createMemoryStorage(), options);

const repo = { registry: REGISTRY, name: 'team/app' };
const MISSING = `sha256:${'0'.repeat(64)}`;
const SBOM = 'application/vnd.example.sbom';
const SIGNATURE = 'application/vnd.example.signature';

describe('ListImages', () => {
  it('lists every tag of every image, and untagged images by digest', async () => {
    const { run, push } = actionHarness();
    const tagged = ociImage('amd64');
    const untagged = ociImage('arm64');
    await push('team/app', tagged, 'v1');
    await push('team/app', untagged);

    const output = await run(listImages, { repositoryName: 'team/app' });

    expect(output.nextToken).toBeUndefined();
    expect(output.imageIds).toHaveLength(2);
    expect(output.imageIds).toEqual(expect.arrayContaining([{ imageDigest: tagged.digest, imageTag: 'v1' }, { imageDigest: untagged.digest }]));
  });

  it('pages with maxResults and an opaque nextToken until the last page, which has none', async () => {
    const { run, push } = actionHarness();
    const digests = ['a', 'b', 'c'].map((seed) => ociImage(seed).digest).sort();
    for (const seed of ['a', 'b', 'c']) await push('team/app', ociImage(seed));

    const first = await run(listImages, { repositoryName: 'team/app', maxResults: 2 });
    const second = await run(listImages, { repositoryName: 'team/app', maxResults: 2, nextToken: first.nextToken });

    expect(first.imageIds).toEqual(digests.slice(0, 2).map((imageDigest) => ({ imageDigest })));
    expect(first.nextToken).toEqual(expect.any(String));
    expect(first.nextToken).not.toContain('sha256');
    expect(second).toEqual({ imageIds: [{ imageDigest: digests[2] }], nextToken: undefined });
  });

  it('filters by tagStatus', async () => {
    const { run, push } = actionHarness();
    const untagged = ociImage('arm64');
    await push('team/app', ociImage('amd64'), 'v1');
    await push('team/app', untagged);

    const output = await run(listImages, { repositoryName: 'team/app', filter: { tagStatus: 'UNTAGGED' } });

    expect(output.imageIds).toEqual([{ imageDigest: untagged.digest }]);
  });

  it('answers RepositoryNotFoundException for a missing repository', async () => {
    const { run } = actionHarness();

    await expect(run(listImages, { repositoryName: 'team/app' })).rejects.toMatchObject({ name: 'RepositoryNotFoundException' });
  });

  it('accepts maxResults from 1 to 1000 only', () => {
    expect(listImages.input.safeParse({ repositoryName: 'team/app', maxResults: 1000 }).success).toBe(true);
    expect(listImages.input.safeParse({ repositoryName: 'team/app', maxResults: 1001 }).success).toBe(false);
    expect(listImages.input.safeParse({ repositoryName: 'team/app', maxResults: 0 }).success).toBe(false);
  });
});

describe('DescribeImages', () => {
  it('describes an image as ECR does: registry, tags, size, push time, media types', async () => {
    const { run, push } = actionHarness();
    const image = ociImage('amd64');
    await push('team/app', image, 'v1', 'latest');

    const output = await run(describeImages, { repositoryName: 'team/app', imageIds: [{ imageTag: 'v1' }] });

    expect(output).toEqual({
      imageDetails: [
        {
          registryId: OWNER,
          repositoryName: 'team/app',
          imageDigest: image.digest,
          imageTags: ['latest', 'v1'],
          imageSizeInBytes: image.layer.length,
          imagePushedAt: NOW.getTime() / 1000,
          imageManifestMediaType: OCI_MANIFEST,
          artifactMediaType: 'application/vnd.oci.image.config.v1+json',
        },
      ],
      nextToken: undefined,
    });
  });

  it('adds the scan status and the findings summary of a completed scan', async () => {
    const { run, push, storage } = actionHarness();
    const image = ociImage('amd64');
    await push('team/app', image, 'v1');
    await storage.scans.finish(repo, image.digest, {
      status: 'COMPLETE',
      startedAt: NOW,
      completedAt: new Date(NOW.getTime() + 5000),
      vulnerabilitySourceUpdatedAt: NOW,
      findings: [],
      severityCounts: { HIGH: 2 },
    });

    const [detail] = (await run(describeImages, { repositoryName: 'team/app' })).imageDetails;

    expect(detail.imageScanStatus).toEqual({ status: 'COMPLETE' });
    expect(detail.imageScanFindingsSummary).toEqual({
      imageScanCompletedAt: NOW.getTime() / 1000 + 5,
      vulnerabilitySourceUpdatedAt: NOW.getTime() / 1000,
      findingSeverityCounts: { HIGH: 2 },
    });
  });

  it('answers ImageNotFoundException when a named image is missing', async () => {
    const { run, push } = actionHarness();
    await push('team/app', ociImage('amd64'), 'v1');

    await expect(run(describeImages, { repositoryName: 'team/app', imageIds: [{ imageTag: 'v1' }, { imageTag: 'gone' }] })).rejects.toMatchObject({
      name: 'ImageNotFoundException',
    });
  });

  it('answers InvalidParameterException for imageIds with maxResults or nextToken, as ECR does', async () => {
    const { run, push } = actionHarness();
    await push('team/app', ociImage('amd64'), 'v1');
    const named = { repositoryName: 'team/app', imageIds: [{ imageTag: 'v1' }] };

    await expect(run(describeImages, { ...named, maxResults: 10 })).rejects.toMatchObject({ name: 'InvalidParameterException' });
    await expect(run(describeImages, { ...named, nextToken: 'abc' })).rejects.toMatchObject({ name: 'InvalidParameterException' });
  });

  it('pages all images with maxResults and nextToken', async () => {
    const { run, push } = actionHarness();
    for (const seed of ['a', 'b', 'c']) await push('team/app', ociImage(seed));

    const first = await run(describeImages, { repositoryName: 'team/app', maxResults: 2 });
    const rest = await run(describeImages, { repositoryName: 'team/app', maxResults: 2, nextToken: first.nextToken });

    expect(first.imageDetails).toHaveLength(2);
    expect(rest.imageDetails).toHaveLength(1);
    expect(rest.nextToken).toBeUndefined();
    const seen = [...first.imageDetails, ...rest.imageDetails].map((d: { imageDigest: string }) => d.imageDigest);
    expect(new Set(seen).size).toBe(3);
  });

  it('answers RepositoryNotFoundException for a missing repository', async () => {
    const { run } = actionHarness();

    await expect(run(describeImages, { repositoryName: 'team/app' })).rejects.toMatchObject({ name: 'RepositoryNotFoundException' });
  });
});

describe('BatchGetImage', () => {
  it('returns each found manifest as text and a failure for each missing image', async () => {
    const { run, push } = actionHarness();
    const image = ociImage('amd64');
    await push('team/app', image, 'v1');

    const output = await run(batchGetImage, { repositoryName: 'team/app', imageIds: [{ imageTag: 'v1' }, { imageDigest: MISSING }] });

    expect(output).toEqual({
      images: [
        {
          registryId: OWNER,
          repositoryName: 'team/app',
          imageId: { imageDigest: image.digest, imageTag: 'v1' },
          imageManifest: image.manifest.toString('utf8'),
          imageManifestMediaType: OCI_MANIFEST,
        },
      ],
      failures: [{ imageId: { imageDigest: MISSING }, failureCode: 'ImageNotFound', failureReason: 'Requested image not found' }],
    });
  });

  it('fails an image whose media type is not among acceptedMediaTypes', async () => {
    const { run, push } = actionHarness();
    await push('team/app', ociImage('amd64'), 'v1');

    const output = await run(batchGetImage, {
      repositoryName: 'team/app',
      imageIds: [{ imageTag: 'v1' }],
      acceptedMediaTypes: ['application/vnd.docker.distribution.manifest.v2+json'],
    });

    expect(output.images).toEqual([]);
    expect(output.failures).toMatchObject([{ imageId: { imageTag: 'v1' }, failureCode: 'ImageNotFound' }]);
  });

  it('refuses more than 100 image ids', () => {
    const imageIds = Array.from({ length: 101 }, (_, i) => ({ imageTag: `t${i}` }));

    expect(batchGetImage.input.safeParse({ repositoryName: 'team/app', imageIds }).success).toBe(false);
  });
});

describe('BatchDeleteImage', () => {
  it('deletes by tag and by digest, reporting what went and what failed', async () => {
    const { run, push, registry } = actionHarness();
    const kept = ociImage('amd64');
    const gone = ociImage('arm64');
    await push('team/app', kept, 'v1', 'latest');
    await push('team/app', gone, 'old');

    const output = await run(batchDeleteImage, {
      repositoryName: 'team/app',
      imageIds: [{ imageTag: 'latest' }, { imageDigest: gone.digest }, { imageTag: 'never' }],
    });

    expect(output).toEqual({
      imageIds: [
        { imageDigest: kept.digest, imageTag: 'latest' },
        { imageDigest: gone.digest, imageTag: 'old' },
      ],
      failures: [{ imageId: { imageTag: 'never' }, failureCode: 'ImageNotFound', failureReason: 'Requested image not found' }],
    });
    const left = await run(listImages, { repositoryName: 'team/app' });
    expect(left.imageIds).toEqual([{ imageDigest: kept.digest, imageTag: 'v1' }]);
    expect(await registry.images.resolve(repo, { imageDigest: gone.digest })).toMatchObject({ ok: false });
  });

  it('refuses to delete an image a manifest list needs (ImageReferencedByManifestList)', async () => {
    const { run, push } = actionHarness();
    const child = ociImage('amd64');
    await push('team/app', child);
    await push('team/app', ociIndex([child]), 'latest');

    const output = await run(batchDeleteImage, { repositoryName: 'team/app', imageIds: [{ imageDigest: child.digest }] });

    expect(output.imageIds).toEqual([]);
    expect(output.failures).toMatchObject([{ imageId: { imageDigest: child.digest }, failureCode: 'ImageReferencedByManifestList' }]);
  });

  it('answers RepositoryNotFoundException for a missing repository', async () => {
    const { run } = actionHarness();

    await expect(run(batchDeleteImage, { repositoryName: 'team/app', imageIds: [{ imageTag: 'v1' }] })).rejects.toMatchObject({
      name: 'RepositoryNotFoundException',
    });
  });
});

describe('PutImage', () => {
  async function withBlobs(harness: ReturnType<typeof actionHarness>, image = ociImage('amd64')) {
    await harness.upload('team/app', image);
    return image;
  }

  it('stores the manifest under the tag and echoes it back', async () => {
    const harness = actionHarness();
    const image = await withBlobs(harness);

    const output = await harness.run(putImage, { repositoryName: 'team/app', imageManifest: image.manifest.toString('utf8'), imageTag: 'v1' });

    expect(output).toEqual({
      image: {
        registryId: OWNER,
        repositoryName: 'team/app',
        imageId: { imageDigest: image.digest, imageTag: 'v1' },
        imageManifest: image.manifest.toString('utf8'),
        imageManifestMediaType: OCI_MANIFEST,
      },
    });
    expect(await harness.storage.manifests.resolveTag(repo, 'v1')).toBe(image.digest);
  });

  it('answers ImageAlreadyExistsException for the same image under the same tag', async () => {
    const harness = actionHarness();
    const image = ociImage('amd64');
    await harness.push('team/app', image, 'v1');

    const error = await harness
      .run(putImage, { repositoryName: 'team/app', imageManifest: image.manifest.toString('utf8'), imageTag: 'v1' })
      .catch((e: unknown) => e);

    expect(error).toMatchObject({
      name: 'ImageAlreadyExistsException',
      message: `Image with digest '${image.digest}' and tag 'v1' already exists in the repository with name 'team/app'`,
    });
  });

  it('answers ImageTagAlreadyExistsException when an immutable tag would move', async () => {
    const harness = actionHarness();
    await harness.push('team/app', ociImage('amd64'), 'v1');
    await harness.registry.repositoryAdmin.update(repo, (current) => ({ ...current, imageTagMutability: 'IMMUTABLE' }));
    const next = await withBlobs(harness, ociImage('arm64'));

    await expect(harness.run(putImage, { repositoryName: 'team/app', imageManifest: next.manifest.toString('utf8'), imageTag: 'v1' })).rejects.toMatchObject({
      name: 'ImageTagAlreadyExistsException',
    });
  });

  it('answers ImageDigestDoesNotMatchException when imageDigest is not the manifest’s', async () => {
    const harness = actionHarness();
    const image = await withBlobs(harness);

    await expect(
      harness.run(putImage, { repositoryName: 'team/app', imageManifest: image.manifest.toString('utf8'), imageTag: 'v1', imageDigest: MISSING }),
    ).rejects.toMatchObject({ name: 'ImageDigestDoesNotMatchException' });
  });

  it('answers LayersNotFoundException for a manifest whose layers were never uploaded', async () => {
    const { run } = actionHarness();

    await expect(
      run(putImage, { repositoryName: 'team/app', imageManifest: ociImage('amd64').manifest.toString('utf8'), imageTag: 'v1' }),
    ).rejects.toMatchObject({
      name: 'LayersNotFoundException',
    });
  });

  it.each([
    ['with a space', () => '-bad tag'],
    ['that is another image’s digest', () => MISSING],
    ['that is this image’s digest', (image: { digest: string }) => image.digest],
  ])('answers InvalidParameterException for a tag %s, and stores nothing', async (_case, tagOf) => {
    const harness = actionHarness();
    const image = await withBlobs(harness);

    await expect(
      harness.run(putImage, { repositoryName: 'team/app', imageManifest: image.manifest.toString('utf8'), imageTag: tagOf(image) }),
    ).rejects.toMatchObject({ name: 'InvalidParameterException' });
    expect(await harness.storage.manifests.get(repo, image.digest)).toBeUndefined();
  });
});

describe('ListImageReferrers', () => {
  async function withReferrers() {
    const harness = actionHarness();
    const subject = ociImage('amd64');
    await harness.push('team/app', subject, 'v1');
    const referrers = [
      ociImage('sbom-1', { subject, artifactType: SBOM }),
      ociImage('sbom-2', { subject, artifactType: SBOM }),
      ociImage('sig-1', { subject, artifactType: SIGNATURE }),
    ];
    for (const referrer of referrers) await harness.push('team/app', referrer);
    return { ...harness, subject, referrers };
  }

  it('lists the referrers of an image by digest, with their artifact types', async () => {
    const { run, subject, referrers } = await withReferrers();

    const output = await run(listImageReferrers, { repositoryName: 'team/app', subjectId: { imageDigest: subject.digest } });

    expect(output.nextToken).toBeUndefined();
    expect(output.referrers.map((r: { digest: string }) => r.digest)).toEqual(referrers.map((r) => r.digest).sort());
    expect(output.referrers[0]).toMatchObject({ mediaType: OCI_MANIFEST, artifactStatus: 'ACTIVE', size: expect.any(Number) });
  });

  it('filters by artifact type', async () => {
    const { run, subject, referrers } = await withReferrers();

    const output = await run(listImageReferrers, {
      repositoryName: 'team/app',
      subjectId: { imageDigest: subject.digest },
      filter: { artifactTypes: [SIGNATURE] },
    });

    expect(output.referrers).toEqual([expect.objectContaining({ digest: referrers[2]?.digest, artifactType: SIGNATURE })]);
  });

  it('pages with maxResults and nextToken', async () => {
    const { run, subject, referrers } = await withReferrers();
    const digests = referrers.map((r) => r.digest).sort();

    const first = await run(listImageReferrers, { repositoryName: 'team/app', subjectId: { imageDigest: subject.digest }, maxResults: 2 });
    const second = await run(listImageReferrers, {
      repositoryName: 'team/app',
      subjectId: { imageDigest: subject.digest },
      maxResults: 2,
      nextToken: first.nextToken,
    });

    expect(first.referrers.map((r: { digest: string }) => r.digest)).toEqual(digests.slice(0, 2));
    expect(second.referrers.map((r: { digest: string }) => r.digest)).toEqual(digests.slice(2));
    expect(second.nextToken).toBeUndefined();
  });

  it('is authorized as ecr:ListImages', () => {
    expect(listImageReferrers.iamAction).toBe('ecr:ListImages');
  });

  it('answers RepositoryNotFoundException for a missing repository and InvalidParameterException for a bad digest', async () => {
    const { run } = actionHarness();

    await expect(run(listImageReferrers, { repositoryName: 'team/app', subjectId: { imageDigest: MISSING } })).rejects.toMatchObject({
      name: 'RepositoryNotFoundException',
    });
    await expect(run(listImageReferrers, { repositoryName: 'team/app', subjectId: { imageDigest: 'sha256:nothex' } })).rejects.toMatchObject({
      name: 'InvalidParameterException',
    });
  });
});
