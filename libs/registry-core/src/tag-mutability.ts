import type { RepositorySettings } from '@cargohold/storage-ports';

/** ECR's wildcard filter: `*` matches any run of characters, everything else literally. */
export function matchesTagFilter(filter: string, tag: string): boolean {
  const pattern = filter
    .split('*')
    .map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
    .join('.*');
  return new RegExp(`^${pattern}$`).test(tag);
}

/** Whether a tag, once it points at an image, may be moved to another one. */
export function isTagImmutable(settings: RepositorySettings, tag: string): boolean {
  const excluded = settings.imageTagMutabilityExclusionFilters.some((f) => matchesTagFilter(f.filter, tag));
  switch (settings.imageTagMutability) {
    case 'MUTABLE':
      return false;
    case 'IMMUTABLE':
      return true;
    case 'MUTABLE_WITH_EXCLUSION':
      return excluded;
    case 'IMMUTABLE_WITH_EXCLUSION':
      return !excluded;
  }
}
