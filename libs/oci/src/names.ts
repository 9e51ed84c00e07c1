import { parseDigest, type Digest } from './digest';
import { RegistryError } from './errors';

/**
 * Repository names and tags as the OCI Distribution Spec defines them, intersected with ECR's limits.
 * Names end up in storage keys and paths, so anything outside the grammar (`..`, `%2e`, `//`, uppercase,
 * leading or trailing separators) is rejected here, before it can reach a port.
 */
const PATH_COMPONENT = '[a-z0-9]+(?:(?:\\.|_|__|-+)[a-z0-9]+)*';
const REPOSITORY_NAME_PATTERN = new RegExp(`^${PATH_COMPONENT}(?:/${PATH_COMPONENT})*$`);
const TAG_PATTERN = /^[a-zA-Z0-9_][a-zA-Z0-9._-]{0,127}$/;

/** ECR caps repository names at 2 to 256 characters; OCI itself sets no bound. */
export const REPOSITORY_NAME_MIN_LENGTH = 2;
export const REPOSITORY_NAME_MAX_LENGTH = 256;
export const TAG_MAX_LENGTH = 128;

const quote = (value: string): string => JSON.stringify(value.slice(0, 300));

export class NameInvalidError extends RegistryError {
  constructor(name: string, reason: string) {
    super('NAME_INVALID', `invalid repository name ${quote(name)}: ${reason}`);
  }
}

export class TagInvalidError extends RegistryError {
  constructor(tag: string, reason: string) {
    super('TAG_INVALID', `invalid tag ${quote(tag)}: ${reason}`);
  }
}

export function validateRepositoryName(name: string): void {
  if (name.length < REPOSITORY_NAME_MIN_LENGTH || name.length > REPOSITORY_NAME_MAX_LENGTH) {
    throw new NameInvalidError(name, `length must be between ${REPOSITORY_NAME_MIN_LENGTH} and ${REPOSITORY_NAME_MAX_LENGTH} characters`);
  }
  if (!REPOSITORY_NAME_PATTERN.test(name)) {
    throw new NameInvalidError(name, 'expected lowercase alphanumeric path components separated by "/", each joined by ".", "_", "__" or "-"');
  }
}

export function isRepositoryName(name: string): boolean {
  return name.length >= REPOSITORY_NAME_MIN_LENGTH && name.length <= REPOSITORY_NAME_MAX_LENGTH && REPOSITORY_NAME_PATTERN.test(name);
}

export function validateTag(tag: string): void {
  if (!TAG_PATTERN.test(tag)) {
    throw new TagInvalidError(tag, `expected [a-zA-Z0-9_] followed by up to ${TAG_MAX_LENGTH - 1} of [a-zA-Z0-9._-]`);
  }
}

export function isTag(tag: string): boolean {
  return TAG_PATTERN.test(tag);
}

export type Reference = { kind: 'tag'; tag: string } | { kind: 'digest'; digest: Digest };

/**
 * The `<reference>` of `/v2/<name>/manifests/<reference>`: a digest when it contains ':' (tags cannot),
 * a tag otherwise. Throws DigestInvalidError or TagInvalidError.
 */
export function parseReference(ref: string): Reference {
  if (ref.includes(':')) return { kind: 'digest', digest: parseDigest(ref).digest };
  validateTag(ref);
  return { kind: 'tag', tag: ref };
}
