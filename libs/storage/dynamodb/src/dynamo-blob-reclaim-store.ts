import type { BlobLinkEntry, BlobReclaimStore, Digest, Lease, RepoRef } from '@cargohold/storage-ports';
import { manifestsListing } from './dynamo-blob-link-store';
import type { Key, Table } from './table';
import { keys } from './table-design';

/*
 * Garbage collection's per-digest partition (table-design.ts):
 *
 *   PK=BLOB#<digest>  SK=CLAIM                      owner, until   the collector's claim (one at a time)
 *                     SK=PIN#<owner>                until          a writer about to link / record it
 *                     SK=REF#<registry>#<name>      -              "this repository may link or record it"
 *
 * DynamoDB has no strongly consistent digest → links index (a GSI is eventually consistent, and a scan is
 * out of the question), so writers leave a REF hint in the digest's partition, in the same transaction
 * that takes their pin, before they link or record anything. Every link or manifest record written by the
 * core therefore has a hint (hints only over-approximate: unlinks, manifest deletes and repository deletes
 * leave them, and a claim removes those it proves stale). `claim`:
 *   1. puts CLAIM, conditioned on no live claim of another owner; from here on no pin can be taken (a pin's
 *      transaction checks CLAIM), so no new hint, link or record for the digest can appear;
 *   2. reads the partition (strongly consistent): a live pin, or a hint whose repository still has the
 *      link (L#d) or manifest (M#d) item (GetItem, consistent), gives the claim up;
 *   3. deletes the stale hints, keeps CLAIM until `release`.
 * Links and records written before this adapter existed have no hints: a table with such data needs
 * `backfillReferenceHints` (reference-hints-backfill.ts) once before its first collection.
 */
const BLOB = (digest: Digest) => `BLOB#${digest}`;
const CLAIM = 'CLAIM';
const PIN = 'PIN#';
const REF = 'REF#';

export class DynamoBlobReclaimStore implements BlobReclaimStore {
  constructor(private readonly table: Table) {}

  async *linksOf(digest: Digest): AsyncIterable<BlobLinkEntry> {
    for (const repo of await this.hinted(digest)) {
      const link = await this.table.get({ PK: keys.repository(repo), SK: keys.linkSk(digest) });
      if (!link) continue;
      const referenced = (await manifestsListing(this.table, repo, digest)).length > 0;
      yield { repo, linkedAt: new Date(link['linkedAt'] as number), referenced };
    }
  }

  async recorded(digest: Digest): Promise<boolean> {
    for (const repo of await this.hinted(digest)) {
      if (await this.table.get({ PK: keys.repository(repo), SK: keys.manifestSk(digest) })) return true;
    }
    return false;
  }

  async pin(digest: Digest, owner: string, lease: Lease, repo: RepoRef): Promise<boolean> {
    const result = await this.table.transact([
      { check: { PK: BLOB(digest), SK: CLAIM }, write: notClaimedByOther(owner, lease) },
      { put: { PK: BLOB(digest), SK: `${PIN}${owner}`, until: lease.until.getTime() } },
      { put: { PK: BLOB(digest), SK: `${REF}${repo.registry}#${repo.name}` } },
    ]);
    // Cancelled: a live claim (or a conflicting transaction on CLAIM); the caller backs off and retries.
    return result.committed;
  }

  async unpin(digest: Digest, owner: string): Promise<void> {
    await this.table.delete({ PK: BLOB(digest), SK: `${PIN}${owner}` });
  }

  async claim(digest: Digest, owner: string, lease: Lease): Promise<boolean> {
    const { applied } = await this.table.put({ PK: BLOB(digest), SK: CLAIM, owner, until: lease.until.getTime() }, notClaimedByOther(owner, lease));
    if (!applied) return false;
    if (await this.needed(digest, lease.at.getTime())) {
      await this.release(digest, owner);
      return false;
    }
    return true;
  }

  async release(digest: Digest, owner: string): Promise<void> {
    await this.table.delete({ PK: BLOB(digest), SK: CLAIM }, { condition: '#owner = :me', names: { '#owner': 'owner' }, values: { ':me': owner } });
  }

  /** Step 2 of `claim`, under the claim: a live pin or a hint still backed by a link or record; else the stale hints go. */
  private async needed(digest: Digest, now: number): Promise<boolean> {
    const items = await this.table.collect({ key: 'PK = :pk', values: { ':pk': BLOB(digest) }, consistent: true });
    if (items.some((item) => (item['SK'] as string).startsWith(PIN) && (item['until'] as number) > now)) return true;
    const stale: Key[] = [];
    for (const item of items.filter((i) => (i['SK'] as string).startsWith(REF))) {
      const repo = repoOfHint(item['SK'] as string);
      const kept = await this.table.getAll([
        { PK: keys.repository(repo), SK: keys.linkSk(digest) },
        { PK: keys.repository(repo), SK: keys.manifestSk(digest) },
      ]);
      if (kept.length > 0) return true;
      stale.push({ PK: BLOB(digest), SK: item['SK'] as string });
    }
    await this.table.deleteAll(stale);
    return false;
  }

  private async hinted(digest: Digest): Promise<RepoRef[]> {
    const items = await this.table.collect({
      key: 'PK = :pk AND begins_with(SK, :ref)',
      values: { ':pk': BLOB(digest), ':ref': REF },
      consistent: true,
    });
    return items.map((item) => repoOfHint(item['SK'] as string));
  }
}

/** A claim's or pin's condition on the CLAIM item: absent, expired, or this owner's. */
function notClaimedByOther(owner: string, lease: Lease) {
  return {
    condition: 'attribute_not_exists(PK) OR #until <= :now OR #owner = :owner',
    names: { '#until': 'until', '#owner': 'owner' },
    values: { ':now': lease.at.getTime(), ':owner': owner },
  };
}

function repoOfHint(sk: string): RepoRef {
  const rest = sk.slice(REF.length);
  const split = rest.indexOf('#');
  return { registry: rest.slice(0, split), name: rest.slice(split + 1) };
}

/** The REF hint of a link (L#d) or manifest (M#d) item of repository item partition `REPO#<registry>#<name>`. */
export function referenceHintOf(pk: string, sk: string): { PK: string; SK: string } {
  return { PK: BLOB(sk.slice(2) as Digest), SK: `${REF}${pk.slice('REPO#'.length)}` };
}
