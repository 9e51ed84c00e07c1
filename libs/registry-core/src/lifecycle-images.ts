import type { LifecycleImage } from '@cargohold/policy';
import type { Digest, ManifestRecord, ManifestStore, RepoRef } from '@cargohold/storage-ports';

/** An image as the lifecycle evaluation saw it: its record and its tags at that moment. */
export interface ObservedImage {
  readonly record: ManifestRecord;
  readonly tags: readonly string[];
}

const PAGE = 100;

/**
 * Every image of a repository (manifests with their tags, pull times and storage classes), read page by
 * page, in the shape the lifecycle rules evaluate. The observations are kept so an action can check later
 * that the image is still as it was selected.
 */
export async function observeImages(manifests: ManifestStore, repo: RepoRef): Promise<Map<Digest, ObservedImage>> {
  const observed = new Map<Digest, ObservedImage>();
  let last: string | undefined;
  for (;;) {
    const records = await manifests.list(repo, last === undefined ? { limit: PAGE } : { last, limit: PAGE });
    for (const record of records) observed.set(record.digest, { record, tags: await manifests.tagsOf(repo, record.digest) });
    if (records.length < PAGE) return observed;
    last = records[records.length - 1]?.digest;
  }
}

export function toLifecycleImage({ record, tags }: ObservedImage): LifecycleImage {
  return {
    digest: record.digest,
    tags: [...tags],
    pushedAt: record.pushedAt,
    ...(record.lastPulledAt ? { lastPulledAt: record.lastPulledAt } : {}),
    ...(record.lastArchivedAt ? { lastArchivedAt: record.lastArchivedAt } : {}),
    storageClass: record.storageClass ?? 'STANDARD',
    children: [...record.children],
    ...(record.subject ? { subject: record.subject } : {}),
  };
}

/** Still as selected: same digest present, pushed at the same time (not deleted and re-pushed), the same tags. */
export function unchanged(before: ObservedImage, now: ManifestRecord | undefined, tags: readonly string[]): boolean {
  if (!now || now.pushedAt.getTime() !== before.record.pushedAt.getTime()) return false;
  return tags.length === before.tags.length && tags.every((tag, index) => tag === before.tags[index]);
}
