import { createHash } from 'node:crypto';
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { newEvent, parseRegistryEvent, type RegistryEvent } from '@cargohold/events';
import type { DynamoDBRecord } from 'aws-lambda';
import { MalformedEventError } from './errors';

/*
 * DynamoDB Streams as the event source (NEW_AND_OLD_IMAGES): the metadata adapter writes single items
 * (libs/storage/dynamodb/src/table-design.ts), and each change of a manifest or tag item becomes at most
 * one internal event; a scan item carries its events itself. The item layout read here:
 *
 *   manifest  PK=REPO#<registry>#<name>  SK=M#<digest>     digest, mediaType, … [, pushedTags]
 *   tag       PK=REPO#<registry>#<name>  SK=T#<tag>        digest, tag, version (+1 on every move)
 *   scan      PK=REPO#<registry>#<name>  SK=SCAN#<digest>  status, … [, events (JSON array of RegistryEvents)]
 *
 *   record                              event
 *   tag INSERT                          image.pushed  { digest: new, tags: [tag] }
 *   tag MODIFY, digest changed          image.pushed  { digest: new, tags: [tag] }   (a tag move)
 *   tag MODIFY, same digest             none
 *   tag REMOVE                          image.deleted { digest: old, tags: [tag] }   (untag, or image delete)
 *   manifest INSERT, untagged push      image.pushed  { digest, tags: [] }           (by digest, index children)
 *   manifest INSERT, tagged push        none: the tag items' records carry the push
 *   manifest MODIFY                     none (recordPull, `parents` bookkeeping)
 *   manifest REMOVE                     image.deleted { digest, tags: [] }           (its tags' REMOVEs precede it)
 *   tag or manifest REMOVE whose old    the same, with reason `lifecycle`            (expired by a lifecycle
 *     image has deleteReason=lifecycle                                                policy: ECR's EXPIRE)
 *   scan INSERT or MODIFY whose new     the events it carries, as written             (image.scan-requested when
 *     `events` differ from the old ones                                               a scan is asked for,
 *                                                                                     image.scanned with a result)
 *   replication status (REPL#…)        the events it carries, as for scan items (image.replicated)
 *   scan without new events, REMOVE     none (a worker claiming a scan, a repository delete)
 *   any other item                      none (findings parts, repositories, links, sessions, settings)
 *
 * Tagged or untagged is read from the manifest item's `pushedTags` (the tags the creating push named):
 * a non-empty list means the tag items carry the push. An item without the attribute counts as
 * untagged, so a writer that does not record it produces one extra untagged image.pushed per tagged push
 * rather than losing the push of an image that has no tag: a duplicate is harmless to idempotent
 * consumers, a missing push is not. A re-push of an existing digest writes no manifest record (the put is
 * conditional), so only its tag records count.
 *
 * Ids are name-based UUIDs of the record's eventID: a redelivered record (Lambda retries, a bisected
 * batch) yields the same event id, which consumers use to deduplicate. `version` is the tag item's
 * `version` (its move counter); manifest records carry 0: the table keeps no per-repository counter, and
 * the stream's SequenceNumber (21 to 40 decimal digits) does not fit the event's safe-integer version.
 * Scan events keep the ids their writer gave them, which a redelivered record repeats just the same.
 */

type Item = Record<string, unknown>;

/** The events one DynamoDB Streams record stands for (zero or one; a scan item's, those it carries); malformed input throws. */
export function eventsFromStreamRecord(record: DynamoDBRecord): RegistryEvent[] {
  const stream = record.dynamodb;
  const keys = image(stream?.Keys);
  if (!stream || !keys) throw new MalformedEventError(`stream record ${record.eventID ?? '?'} has no keys`);
  const pk = String(keys['PK'] ?? '');
  const sk = String(keys['SK'] ?? '');
  if (!pk.startsWith(REPO_PREFIX)) return [];
  const newImage = image(stream.NewImage);
  const oldImage = image(stream.OldImage);
  if (sk.startsWith(SCAN_PREFIX)) return sk.includes(PART_MARK) ? [] : carriedEvents(record, newImage, oldImage);
  if (sk.startsWith(REPLICATION_PREFIX)) return carriedEvents(record, newImage, oldImage);
  if (!(sk.startsWith(MANIFEST_PREFIX) || sk.startsWith(TAG_PREFIX))) return [];

  const { registry, repository } = repositoryOf(pk);
  const at = occurredAt(record);
  const id = eventIdOf(record);
  const base = { registry, repository };

  if (sk.startsWith(TAG_PREFIX)) {
    const tag = sk.slice(TAG_PREFIX.length);
    switch (record.eventName) {
      case 'INSERT':
      case 'MODIFY': {
        const now = required(newImage, 'NewImage', record);
        if (record.eventName === 'MODIFY' && required(oldImage, 'OldImage', record)['digest'] === now['digest']) return [];
        const pushed = newEvent('image.pushed', { ...base, digest: digestOf(now, record), mediaType: stringOr(now['mediaType']), tags: [tag] }, at, id);
        return [{ ...pushed, version: versionOf(now) }];
      }
      case 'REMOVE': {
        const before = required(oldImage, 'OldImage', record);
        const deleted = newEvent('image.deleted', { ...base, digest: digestOf(before, record), tags: [tag], ...reasonOf(before) }, at, id);
        return [{ ...deleted, version: versionOf(before) }];
      }
      default:
        throw new MalformedEventError(`stream record ${record.eventID ?? '?'}: unknown eventName ${String(record.eventName)}`);
    }
  }

  const digest = sk.slice(MANIFEST_PREFIX.length);
  switch (record.eventName) {
    case 'INSERT': {
      const now = required(newImage, 'NewImage', record);
      if (tagsOf(now['pushedTags']).length > 0) return [];
      return [newEvent('image.pushed', { ...base, digest, mediaType: stringOr(now['mediaType']), tags: [] }, at, id)];
    }
    case 'MODIFY':
      return [];
    case 'REMOVE':
      return [newEvent('image.deleted', { ...base, digest, tags: [], ...reasonOf(oldImage) }, at, id)];
    default:
      throw new MalformedEventError(`stream record ${record.eventID ?? '?'}: unknown eventName ${String(record.eventName)}`);
  }
}

/** `deleteReason` is stamped on the items a lifecycle expiry deletes, just before it deletes them (dynamo-manifest-store.ts). */
const reasonOf = (before: Item | undefined): { reason?: 'lifecycle' } => (before?.['deleteReason'] === 'lifecycle' ? { reason: 'lifecycle' } : {});

const REPO_PREFIX = 'REPO#';
const MANIFEST_PREFIX = 'M#';
const TAG_PREFIX = 'T#';
const SCAN_PREFIX = 'SCAN#';
/** Replication status items (`REPL#<digest>#<region>#<account>`) carry their events as scan items do. */
const REPLICATION_PREFIX = 'REPL#';
/** Findings parts (`SCAN#<digest>#PART#…`) share the scan prefix and carry no events. */
const PART_MARK = '#PART#';

/** The events a scan item's write carries: its new `events`, unless the old image already held them. */
function carriedEvents(record: DynamoDBRecord, newImage: Item | undefined, oldImage: Item | undefined): RegistryEvent[] {
  if (record.eventName === 'REMOVE') return [];
  if (record.eventName !== 'INSERT' && record.eventName !== 'MODIFY') {
    throw new MalformedEventError(`stream record ${record.eventID ?? '?'}: unknown eventName ${String(record.eventName)}`);
  }
  const carried = required(newImage, 'NewImage', record)['events'];
  if (carried === undefined || carried === oldImage?.['events']) return [];
  try {
    const events: unknown = JSON.parse(String(carried));
    if (!Array.isArray(events)) throw new TypeError('not an array');
    return events.map((event) => parseRegistryEvent(event));
  } catch (error) {
    throw new MalformedEventError(`stream record ${record.eventID ?? '?'}: unreadable scan events`, { cause: error });
  }
}

/** `REPO#<registry>#<name>`: registry ids (`<account>:<region>`) and names never contain `#`. */
function repositoryOf(pk: string): { registry: string; repository: string } {
  const rest = pk.slice(REPO_PREFIX.length);
  const cut = rest.indexOf('#');
  if (cut <= 0 || cut === rest.length - 1) throw new MalformedEventError(`not a repository partition key: ${pk}`);
  return { registry: rest.slice(0, cut), repository: rest.slice(cut + 1) };
}

/** Stream images use the DynamoDB JSON of the low-level API; aws-lambda's type is structurally the same. */
function image(value: Record<string, unknown> | undefined): Item | undefined {
  return value && (unmarshall(value as Record<string, AttributeValue>) as Item);
}

function required(item: Item | undefined, which: string, record: DynamoDBRecord): Item {
  // KEYS_ONLY or NEW_IMAGE streams cannot say what a tag pointed at: the table must stream both images.
  if (!item) throw new MalformedEventError(`stream record ${record.eventID ?? '?'} has no ${which} (the stream must be NEW_AND_OLD_IMAGES)`);
  return item;
}

function digestOf(item: Item, record: DynamoDBRecord): string {
  const digest = item['digest'];
  if (typeof digest !== 'string' || digest === '') throw new MalformedEventError(`stream record ${record.eventID ?? '?'}: tag item without a digest`);
  return digest;
}

const stringOr = (value: unknown): string => (typeof value === 'string' ? value : '');
const tagsOf = (value: unknown): unknown[] => (value instanceof Set || Array.isArray(value) ? [...value] : []);
const versionOf = (item: Item): number => (Number.isSafeInteger(item['version']) && (item['version'] as number) >= 0 ? (item['version'] as number) : 0);

function occurredAt(record: DynamoDBRecord): Date {
  const seconds = record.dynamodb?.ApproximateCreationDateTime;
  if (seconds === undefined || !Number.isFinite(seconds))
    throw new MalformedEventError(`stream record ${record.eventID ?? '?'} has no ApproximateCreationDateTime`);
  return new Date(seconds * 1000);
}

/** Fixed namespace of cargohold's stream-derived event ids (UUID version 5, RFC 9562 §5.5). */
const NAMESPACE = Buffer.from('f4c255920ecf424aa48fe6839f846b1e', 'hex');

function eventIdOf(record: DynamoDBRecord): string {
  if (!record.eventID) throw new MalformedEventError('stream record without an eventID');
  const hash = createHash('sha1').update(NAMESPACE).update(record.eventID, 'utf8').digest();
  hash[6] = ((hash[6] ?? 0) & 0x0f) | 0x50;
  hash[8] = ((hash[8] ?? 0) & 0x3f) | 0x80;
  const hex = hash.subarray(0, 16).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
