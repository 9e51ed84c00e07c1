import type { Digest, RepoRef } from '@cargohold/storage-ports';
import type { Item, Key, TransactWrite } from './table';
import { keys } from './table-design';

export const manifestKey = (repo: RepoRef, digest: Digest): Key => ({ PK: keys.repository(repo), SK: keys.manifestSk(digest) });
export const tagKey = (repo: RepoRef, tag: string): Key => ({ PK: keys.repository(repo), SK: keys.tagSk(tag) });
const linkKey = (repo: RepoRef, blob: Digest): Key => ({ PK: keys.repository(repo), SK: keys.linkSk(blob) });

/** What each position of a transaction stands for: how a cancelled condition there is answered. */
export type Role =
  | { readonly kind: 'link'; readonly blob: Digest }
  | { readonly kind: 'child'; readonly child: Digest }
  | { readonly kind: 'manifest' }
  | { readonly kind: 'tag'; readonly tag: string; readonly immutable: boolean };

export interface Planned {
  readonly writes: readonly TransactWrite[];
  readonly roles: readonly Role[];
}

class Plan implements Planned {
  readonly writes: TransactWrite[] = [];
  readonly roles: Role[] = [];
  add(role: Role, write: TransactWrite): void {
    this.roles.push(role);
    this.writes.push(write);
  }
}

const PARENTS = { '#parents': 'parents' };
const TAG_VERSION = { '#tagVersion': 'tagVersion' };

export interface PutInput {
  readonly repo: RepoRef;
  /** The manifest item as manifestItem() builds it. */
  readonly item: Item;
  readonly digest: Digest;
  /** Links checked inside the transaction (all of them, unless there are too many: see the store). */
  readonly blobs: readonly Digest[];
  readonly children: readonly Digest[];
  /** Whether the manifest item existed when read. */
  readonly existing: boolean;
  /** Each tag of the put with the digest it held when read. */
  readonly current: ReadonlyMap<string, Digest | undefined>;
  readonly immutable: ReadonlySet<string>;
}

/** The put transaction the store's design notes describe (dynamo-manifest-store.ts). */
export function putTransaction(input: PutInput): Planned {
  const { repo, digest } = input;
  const plan = new Plan();
  for (const blob of input.blobs) {
    // A write, not a check: the bump cancels an unlink that looked for listing manifests before this commit.
    const write = { update: 'ADD #listings :one', condition: 'attribute_exists(PK)', names: { '#listings': 'listings' }, values: { ':one': 1 } };
    plan.add({ kind: 'link', blob }, { update: linkKey(repo, blob), write });
  }
  for (const child of input.children) {
    plan.add(
      { kind: 'child', child },
      {
        update: manifestKey(repo, child),
        write: { update: 'ADD #parents :parent', condition: 'attribute_exists(PK)', names: PARENTS, values: { ':parent': new Set([digest]) } },
      },
    );
  }
  const moving = [...input.current.values()].some((current) => current !== digest);
  const manifest = manifestKey(repo, digest);
  if (!input.existing) plan.add({ kind: 'manifest' }, { put: input.item, write: { condition: 'attribute_not_exists(PK)' } });
  else if (moving) {
    // Bumped so that a delete which read the digest's tags before this commit is cancelled.
    const write = { update: 'ADD #tagVersion :one', condition: 'attribute_exists(PK)', names: TAG_VERSION, values: { ':one': 1 } };
    plan.add({ kind: 'manifest' }, { update: manifest, write });
  } else plan.add({ kind: 'manifest' }, { check: manifest, write: { condition: 'attribute_exists(PK)' } });
  for (const [tag, current] of input.current) {
    const role = { kind: 'tag', tag, immutable: input.immutable.has(tag) } as const;
    if (current === digest) {
      plan.add(role, { check: tagKey(repo, tag), write: { condition: '#digest = :digest', names: { '#digest': 'digest' }, values: { ':digest': digest } } });
      continue;
    }
    const seen = current !== undefined && !role.immutable;
    const condition = role.immutable ? 'attribute_not_exists(PK) OR #digest = :digest' : seen ? '#digest = :seen' : 'attribute_not_exists(PK)';
    plan.add(role, {
      update: tagKey(repo, tag),
      write: {
        update: 'SET #digest = :digest, #tag = :tag, LSI1SK = :tagOf ADD #version :one',
        condition,
        names: { '#digest': 'digest', '#tag': 'tag', '#version': 'version' },
        values: { ':digest': digest, ':tag': tag, ':tagOf': keys.tagOf(digest, tag), ':one': 1, ...(seen && { ':seen': current }) },
      },
    });
  }
  return plan;
}

export interface DeleteInput {
  readonly repo: RepoRef;
  readonly digest: Digest;
  /** The manifest item's `tagVersion` when read (absent until a tag was first moved onto an existing record). */
  readonly tagVersion: number | undefined;
  readonly tags: readonly string[];
  readonly children: readonly Digest[];
}

/** The delete transaction the store's design notes describe. */
export function deleteTransaction(input: DeleteInput): Planned {
  const { repo, digest } = input;
  const plan = new Plan();
  // Tags first: the stream then carries the tags' REMOVEs before the manifest's, as readers expect.
  for (const tag of input.tags) {
    const write = { condition: '#digest = :digest', names: { '#digest': 'digest' }, values: { ':digest': digest } };
    plan.add({ kind: 'tag', tag, immutable: false }, { delete: tagKey(repo, tag), write });
  }
  const unchanged = input.tagVersion === undefined ? 'attribute_not_exists(#tagVersion)' : '#tagVersion = :tagVersion';
  plan.add(
    { kind: 'manifest' },
    {
      delete: manifestKey(repo, digest),
      write: {
        condition: `attribute_not_exists(#parents) AND ${unchanged}`,
        names: { ...PARENTS, ...TAG_VERSION },
        ...(input.tagVersion !== undefined && { values: { ':tagVersion': input.tagVersion } }),
      },
    },
  );
  for (const child of input.children) {
    plan.add(
      { kind: 'child', child },
      {
        update: manifestKey(repo, child),
        write: { update: 'DELETE #parents :parent', condition: 'attribute_exists(PK)', names: PARENTS, values: { ':parent': new Set([digest]) } },
      },
    );
  }
  return plan;
}
