import { toEcrEvents } from '@cargohold/events';
import { createMemoryStorage } from '@cargohold/storage-memory';
import { ociImage } from '@cargohold/storage-testing';
import { batchGetImage, describeImages } from './image-actions';
import { startImageScan } from './scanning-actions';
import {
  deleteLifecyclePolicy,
  getLifecyclePolicy,
  getLifecyclePolicyPreview,
  putLifecyclePolicy,
  startLifecyclePolicyPreview,
  updateImageStorageClass,
} from './lifecycle-actions';
import { actionHarness, NOW, OWNER, REGISTRY } from './spec-helpers';

const DAY = 86_400_000;
const repo = { registry: REGISTRY, name: 'team/app' };

const policy = (...rules: object[]) => JSON.stringify({ rules }, null, 2);
const keepNewest = (count: number, tagStatus = 'any', priority = 1) => ({
  rulePriority: priority,
  description: `keep ${count}`,
  selection: { tagStatus, countType: 'imageCountMoreThan', countNumber: count },
  action: { type: 'expire' },
});
/** Keeps the newest untagged image and expires the older ones. */
const EXPIRE_UNTAGGED = policy(keepNewest(1, 'untagged'));

/** A harness whose clock the spec moves, so images get distinct push times (oldest first). */
function harness() {
  let now = new Date(NOW.getTime() - 30 * DAY);
  const storage = createMemoryStorage();
  const h = actionHarness(storage, { registry: { clock: { now: () => now } } });
  const pushAt = async (dayOffset: number, seed: string, ...tags: string[]) => {
    now = new Date(NOW.getTime() + dayOffset * DAY);
    const image = ociImage(seed);
    await h.push('team/app', image, ...tags);
    return image.digest;
  };
  const at = (date: Date) => (now = date);
  return { ...h, storage, pushAt, at };
}

describe('PutLifecyclePolicy, GetLifecyclePolicy, DeleteLifecyclePolicy', () => {
  it('stores the policy byte-for-byte; get answers it without lastEvaluatedAt until a sweep; delete answers it and removes it', async () => {
    const { run, pushAt } = harness();
    await pushAt(-2, 'a', 'v1');

    const put = await run(putLifecyclePolicy, { repositoryName: 'team/app', lifecyclePolicyText: EXPIRE_UNTAGGED });
    const got = await run(getLifecyclePolicy, { repositoryName: 'team/app' });
    const deleted = await run(deleteLifecyclePolicy, { repositoryName: 'team/app' });

    expect(put).toEqual({ registryId: OWNER, repositoryName: 'team/app', lifecyclePolicyText: EXPIRE_UNTAGGED });
    expect(got).toEqual({ registryId: OWNER, repositoryName: 'team/app', lifecyclePolicyText: EXPIRE_UNTAGGED, lastEvaluatedAt: undefined });
    expect(deleted).toEqual(got);
    await expect(run(getLifecyclePolicy, { repositoryName: 'team/app' })).rejects.toMatchObject({
      name: 'LifecyclePolicyNotFoundException',
      message: `Lifecycle policy does not exist for the repository with name 'team/app' in the registry with id '${OWNER}'`,
    });
    await expect(run(deleteLifecyclePolicy, { repositoryName: 'team/app' })).rejects.toMatchObject({ name: 'LifecyclePolicyNotFoundException' });
  });

  it('refuses a policy that is not one with InvalidParameterException, and an unknown repository with RepositoryNotFoundException', async () => {
    const { run, pushAt } = harness();
    await pushAt(-2, 'a', 'v1');

    await expect(run(putLifecyclePolicy, { repositoryName: 'team/app', lifecyclePolicyText: `{"rules": "none"}${' '.repeat(100)}` })).rejects.toMatchObject({
      name: 'InvalidParameterException',
    });
    await expect(run(putLifecyclePolicy, { repositoryName: 'team/none', lifecyclePolicyText: EXPIRE_UNTAGGED })).rejects.toMatchObject({
      name: 'RepositoryNotFoundException',
    });
    expect(() => putLifecyclePolicy.input.parse({ repositoryName: 'team/app', lifecyclePolicyText: '{"rules":[]}' })).toThrow();
  });
});

describe('StartLifecyclePolicyPreview and GetLifecyclePolicyPreview', () => {
  it('previews the stored policy, or a candidate, listing what would go; nothing is deleted', async () => {
    const { run, pushAt, registry } = harness();
    const old = await pushAt(-4, 'a');
    const newer = await pushAt(-3, 'b');
    const newest = await pushAt(-2, 'n');
    await pushAt(-1, 'c', 'v1');
    await run(putLifecyclePolicy, { repositoryName: 'team/app', lifecyclePolicyText: EXPIRE_UNTAGGED });

    const started = await run(startLifecyclePolicyPreview, { repositoryName: 'team/app' });
    const preview = await run(getLifecyclePolicyPreview, { repositoryName: 'team/app' });

    expect(started).toEqual({ registryId: OWNER, repositoryName: 'team/app', lifecyclePolicyText: EXPIRE_UNTAGGED, status: 'COMPLETE' });
    expect(preview).toMatchObject({ status: 'COMPLETE', lifecyclePolicyText: EXPIRE_UNTAGGED, summary: { expiringImageTotalCount: 2 }, nextToken: undefined });
    expect(preview.previewResults).toEqual(
      [old, newer].sort().map((imageDigest) => ({
        imageDigest,
        imagePushedAt: expect.any(Number),
        action: { type: 'EXPIRE' },
        appliedRulePriority: 1,
        storageClass: 'STANDARD',
      })),
    );
    expect((await registry.images.describe(repo, undefined, 'ANY', 100)).details).toHaveLength(4);

    const candidate = policy(keepNewest(1));
    await run(startLifecyclePolicyPreview, { repositoryName: 'team/app', lifecyclePolicyText: candidate });
    const second = await run(getLifecyclePolicyPreview, { repositoryName: 'team/app', filter: { tagStatus: 'UNTAGGED' } });
    expect(second.lifecyclePolicyText).toBe(candidate);
    expect(second.summary.expiringImageTotalCount).toBe(3);
    expect(second.previewResults.map((r: { imageDigest: string }) => r.imageDigest).sort()).toEqual([old, newer, newest].sort());
  });

  it('pages results with maxResults and a sealed nextToken', async () => {
    const { run, pushAt } = harness();
    const digests = [];
    for (let i = 0; i < 6; i++) digests.push(await pushAt(-10 + i, `u${i}`));
    await run(startLifecyclePolicyPreview, { repositoryName: 'team/app', lifecyclePolicyText: EXPIRE_UNTAGGED });

    const first = await run(getLifecyclePolicyPreview, { repositoryName: 'team/app', maxResults: 3 });
    const second = await run(getLifecyclePolicyPreview, { repositoryName: 'team/app', maxResults: 3, nextToken: first.nextToken });

    expect(first.nextToken).toEqual(expect.any(String));
    expect(first.nextToken).not.toContain('sha256');
    expect(second.nextToken).toBeUndefined();
    // The newest untagged image is kept; the other five are listed, in digest order, across both pages.
    expect([...first.previewResults, ...second.previewResults].map((r: { imageDigest: string }) => r.imageDigest)).toEqual(digests.slice(0, 5).sort());
  });

  it('answers LifecyclePolicyPreviewNotFoundException before any preview, and LifecyclePolicyNotFoundException when none is stored or given', async () => {
    const { run, pushAt } = harness();
    await pushAt(-1, 'a', 'v1');

    await expect(run(getLifecyclePolicyPreview, { repositoryName: 'team/app' })).rejects.toMatchObject({ name: 'LifecyclePolicyPreviewNotFoundException' });
    await expect(run(startLifecyclePolicyPreview, { repositoryName: 'team/app' })).rejects.toMatchObject({ name: 'LifecyclePolicyNotFoundException' });
  });
});

describe('the lifecycle sweep', () => {
  it('expires exactly what the preview listed, records lastEvaluatedAt and EXPIRE events', async () => {
    const { run, pushAt, at, registry, storage } = harness();
    const expiring = [await pushAt(-4, 'a'), await pushAt(-3, 'b')];
    const kept = [await pushAt(-2, 'n'), await pushAt(-1, 'c', 'v1')].sort();
    await run(putLifecyclePolicy, { repositoryName: 'team/app', lifecyclePolicyText: EXPIRE_UNTAGGED });
    at(NOW);

    const report = await registry.lifecycleSweeper.sweep(repo);

    expect(report).toEqual({ evaluated: true, expired: expect.arrayContaining(expiring), transitioned: [], skipped: [] });
    expect((await registry.images.describe(repo, undefined, 'ANY', 100)).details.map((d) => d.record.digest)).toEqual(kept);
    expect((await run(getLifecyclePolicy, { repositoryName: 'team/app' })).lastEvaluatedAt).toBe(NOW.getTime() / 1000);
    const events = (await storage.outbox.due(new Date(NOW.getTime() + DAY), 100, 1000)).map((e) => e.event).filter((e) => e.type === 'image.deleted');
    expect(events.flatMap(toEcrEvents).map((e) => [e.detail['image-digest'], e.detail['action-type']])).toEqual(
      expect.arrayContaining(expiring.map((digest) => [digest, 'EXPIRE'])),
    );
  });

  it('skips an image re-tagged after it was selected', async () => {
    const { pushAt, registry, storage } = harness();
    const digest = await pushAt(-3, 'a');
    await pushAt(-2, 'n');
    await pushAt(-1, 'b', 'v1');
    await registry.lifecycle.put(repo, EXPIRE_UNTAGGED);
    // Tag the selected image between evaluation and action: the sweeper must notice and leave it.
    const tagsOf = storage.manifests.tagsOf.bind(storage.manifests);
    let calls = 0;
    storage.manifests.tagsOf = async (r, d) => {
      if (d === digest && ++calls === 2) await registry.manifests.put(repo, 'late', ociImage('a').manifest, ociImage('a').mediaType);
      return tagsOf(r, d);
    };

    const report = await registry.lifecycleSweeper.sweep(repo);

    expect(report.skipped).toEqual([digest]);
    expect(await storage.manifests.resolveTag(repo, 'late')).toBe(digest);
  });

  it('transitions to ARCHIVE through a transition rule', async () => {
    const { pushAt, registry } = harness();
    const digest = await pushAt(-3, 'a');
    await pushAt(0, 'n');
    const rule = {
      rulePriority: 1,
      selection: { tagStatus: 'untagged', countType: 'sinceImagePushed', countUnit: 'days', countNumber: 2 },
      action: { type: 'transition', targetStorageClass: 'archive' },
    };
    await registry.lifecycle.put(repo, policy(rule));

    const report = await registry.lifecycleSweeper.sweep(repo);

    expect(report.transitioned).toEqual([digest]);
    expect((await registry.images.describe(repo, [{ imageDigest: digest }], 'ANY', 100)).details[0]?.record.storageClass).toBe('ARCHIVE');
  });
});

describe('UpdateImageStorageClass', () => {
  it('archives an image: DescribeImages reports it ARCHIVED, BatchGetImage fails it as ImageInaccessible; STANDARD restores it', async () => {
    const { run, pushAt, at } = harness();
    const digest = await pushAt(-1, 'a', 'v1');
    at(NOW);

    const archived = await run(updateImageStorageClass, { repositoryName: 'team/app', imageId: { imageTag: 'v1' }, targetStorageClass: 'ARCHIVE' });
    const described = await run(describeImages, { repositoryName: 'team/app' });
    const pulled = await run(batchGetImage, { repositoryName: 'team/app', imageIds: [{ imageTag: 'v1' }] });
    const restored = await run(updateImageStorageClass, { repositoryName: 'team/app', imageId: { imageDigest: digest }, targetStorageClass: 'STANDARD' });
    const pulledAgain = await run(batchGetImage, { repositoryName: 'team/app', imageIds: [{ imageTag: 'v1' }] });

    expect(archived).toEqual({ registryId: OWNER, repositoryName: 'team/app', imageId: { imageDigest: digest, imageTag: 'v1' }, imageStatus: 'ARCHIVED' });
    expect(described.imageDetails[0]).toMatchObject({ imageStatus: 'ARCHIVED', lastArchivedAt: NOW.getTime() / 1000 });
    expect(pulled.images).toEqual([]);
    expect(pulled.failures).toEqual([{ imageId: { imageTag: 'v1' }, failureCode: 'ImageInaccessible', failureReason: expect.stringContaining('archived') }]);
    expect(restored.imageStatus).toBe('ACTIVE');
    expect(pulledAgain.images).toHaveLength(1);
  });

  it('refuses to scan an archived image with ImageArchivedException', async () => {
    const { run, pushAt } = harness();
    await pushAt(-1, 'a', 'v1');
    await run(updateImageStorageClass, { repositoryName: 'team/app', imageId: { imageTag: 'v1' }, targetStorageClass: 'ARCHIVE' });

    await expect(run(startImageScan, { repositoryName: 'team/app', imageId: { imageTag: 'v1' } })).rejects.toMatchObject({ name: 'ImageArchivedException' });
  });

  it('answers ImageNotFoundException for an unknown image', async () => {
    const { run, pushAt } = harness();
    await pushAt(-1, 'a', 'v1');
    await expect(
      run(updateImageStorageClass, { repositoryName: 'team/app', imageId: { imageTag: 'nope' }, targetStorageClass: 'ARCHIVE' }),
    ).rejects.toMatchObject({
      name: 'ImageNotFoundException',
    });
  });
});
