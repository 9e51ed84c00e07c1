import { newEvent, parseRegistryEvent } from '@cargohold/events';
import type { DynamoDBRecord } from 'aws-lambda';
import { MalformedEventError } from './errors';
import { eventsFromStreamRecord } from './stream-records';

/*
 * Records as DynamoDB Streams delivers them to Lambda (the structure of AWS's documented sample event),
 * with the items libs/storage/dynamodb writes: a manifest item and a tag item of repository `team/app`
 * in registry 123456789012:us-east-1.
 */
const ARN = 'arn:aws:dynamodb:us-east-1:123456789012:table/cargohold-dev/stream/2026-01-01T00:00:00.000';
const PK = { S: 'REPO#123456789012:us-east-1#team/app' };
const D1 = 'sha256:1111111111111111111111111111111111111111111111111111111111111111';
const D2 = 'sha256:2222222222222222222222222222222222222222222222222222222222222222';
const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';

const manifestImage = (digest: string, extra: Record<string, unknown> = {}) => ({
  PK,
  SK: { S: `M#${digest}` },
  digest: { S: digest },
  mediaType: { S: OCI_MANIFEST },
  size: { N: '1234' },
  blobs: { L: [{ S: 'sha256:aaaa' }] },
  children: { L: [] },
  configMediaType: { S: 'application/vnd.oci.image.config.v1+json' },
  imageSizeBytes: { N: '31457280' },
  pushedAt: { N: '1795949999000' },
  ...extra,
});
const tagImage = (tag: string, digest: string, version: number) => ({
  PK,
  SK: { S: `T#${tag}` },
  LSI1SK: { S: `TAGOF#${digest}#${tag}` },
  digest: { S: digest },
  tag: { S: tag },
  version: { N: String(version) },
});

function record(
  eventName: 'INSERT' | 'MODIFY' | 'REMOVE',
  images: { NewImage?: object; OldImage?: object },
  eventID = 'c4ca4238a0b923820dcc509a6f75849b',
): DynamoDBRecord {
  const image = (images.NewImage ?? images.OldImage) as { PK: unknown; SK: unknown };
  return JSON.parse(
    JSON.stringify({
      eventID,
      eventName,
      eventVersion: '1.1',
      eventSource: 'aws:dynamodb',
      awsRegion: 'us-east-1',
      dynamodb: {
        ApproximateCreationDateTime: 1795950000,
        Keys: { PK: image.PK, SK: image.SK },
        ...images,
        SequenceNumber: '4421584500000000017450439091',
        SizeBytes: 412,
        StreamViewType: 'NEW_AND_OLD_IMAGES',
      },
      eventSourceARN: ARN,
    }),
  ) as DynamoDBRecord;
}

const common = { registry: '123456789012:us-east-1', repository: 'team/app', occurredAt: '2026-11-29T11:00:00.000Z' };

describe('eventsFromStreamRecord', () => {
  describe('tag items carry pushes', () => {
    it('turns a new tag into image.pushed of its digest with that tag, versioned by the tag item', () => {
      const [event, ...more] = eventsFromStreamRecord(record('INSERT', { NewImage: tagImage('v1', D1, 1) }));

      expect(more).toEqual([]);
      expect(event).toEqual({ ...common, id: expect.any(String), type: 'image.pushed', digest: D1, mediaType: '', tags: ['v1'], version: 1 });
      expect(parseRegistryEvent(event)).toEqual(event);
    });

    it('turns a tag move (MODIFY with another digest) into image.pushed of the new digest', () => {
      const events = eventsFromStreamRecord(record('MODIFY', { OldImage: tagImage('latest', D1, 3), NewImage: tagImage('latest', D2, 4) }));

      expect(events).toEqual([expect.objectContaining({ type: 'image.pushed', digest: D2, tags: ['latest'], version: 4 })]);
    });

    it('ignores a tag MODIFY that leaves the digest alone', () => {
      expect(eventsFromStreamRecord(record('MODIFY', { OldImage: tagImage('latest', D1, 3), NewImage: tagImage('latest', D1, 3) }))).toEqual([]);
    });

    it('turns a removed tag into image.deleted of the digest it pointed at, with that tag', () => {
      const events = eventsFromStreamRecord(record('REMOVE', { OldImage: tagImage('v1', D1, 2) }));

      expect(events).toEqual([{ ...common, id: expect.any(String), type: 'image.deleted', digest: D1, tags: ['v1'], version: 2 }]);
    });
  });

  describe('manifest items', () => {
    it('turns an untagged manifest INSERT into image.pushed without tags, with the item mediaType', () => {
      const events = eventsFromStreamRecord(record('INSERT', { NewImage: manifestImage(D1) }));

      expect(events).toEqual([{ ...common, id: expect.any(String), type: 'image.pushed', digest: D1, mediaType: OCI_MANIFEST, tags: [], version: 0 }]);
    });

    it('emits nothing for a manifest INSERT whose push named tags (their tag items carry the push)', () => {
      const tagged = manifestImage(D1, { pushedTags: { L: [{ S: 'v1' }] } });

      expect(eventsFromStreamRecord(record('INSERT', { NewImage: tagged }))).toEqual([]);
    });

    it('ignores manifest MODIFYs (pulls recorded, parents added)', () => {
      const pulled = manifestImage(D1, { lastPulledAt: { N: '1795950001000' }, parents: { SS: [D2] } });

      expect(eventsFromStreamRecord(record('MODIFY', { OldImage: manifestImage(D1), NewImage: pulled }))).toEqual([]);
    });

    it('marks the deletes of a lifecycle expiry (deleteReason on the old images) with reason lifecycle', () => {
      const manifest = eventsFromStreamRecord(record('REMOVE', { OldImage: manifestImage(D1, { deleteReason: { S: 'lifecycle' } }) }));
      const tag = eventsFromStreamRecord(record('REMOVE', { OldImage: { ...tagImage('v1', D1, 2), deleteReason: { S: 'lifecycle' } } }));

      expect(manifest).toEqual([{ ...common, id: expect.any(String), type: 'image.deleted', digest: D1, tags: [], reason: 'lifecycle', version: 0 }]);
      expect(tag).toEqual([{ ...common, id: expect.any(String), type: 'image.deleted', digest: D1, tags: ['v1'], reason: 'lifecycle', version: 2 }]);
    });

    it('turns a removed manifest into image.deleted without tags', () => {
      const events = eventsFromStreamRecord(record('REMOVE', { OldImage: manifestImage(D1) }));

      expect(events).toEqual([{ ...common, id: expect.any(String), type: 'image.deleted', digest: D1, tags: [], version: 0 }]);
    });
  });

  it('ignores every other item of the table (repositories, links, sessions)', () => {
    const repository = { PK: { S: 'REG#123456789012:us-east-1' }, SK: { S: 'REPO#team/app' }, name: { S: 'team/app' } };
    const link = { PK, SK: { S: `L#${D1}` } };
    const session = { PK: { S: 'SESSION#0b6c' }, SK: { S: 'SESSION' }, GSI1PK: { S: 'SESSIONS' } };

    for (const NewImage of [repository, link, session]) expect(eventsFromStreamRecord(record('INSERT', { NewImage }))).toEqual([]);
  });

  describe('scan items carry their own events', () => {
    const requested = newEvent(
      'image.scan-requested',
      { registry: '123456789012:us-east-1', repository: 'team/app', digest: D1, reason: 'manual' },
      new Date('2026-11-29T11:00:00Z'),
      '00000000-0000-4000-8000-000000000001',
    );
    const scanned = newEvent(
      'image.scanned',
      { registry: '123456789012:us-east-1', repository: 'team/app', digest: D1, status: 'COMPLETE', tags: ['v1'], severityCounts: { HIGH: 2 } },
      new Date('2026-11-29T11:05:00Z'),
      '00000000-0000-4000-8000-000000000002',
    );
    const scanImage = (status: string, events?: unknown[]) => ({
      PK,
      SK: { S: `SCAN#${D1}` },
      status: { S: status },
      startedAt: { N: '1795950000000' },
      ...(events ? { events: { S: JSON.stringify(events) } } : {}),
    });

    it('publishes the scan request a manual StartImageScan wrote on the item, as written', () => {
      expect(eventsFromStreamRecord(record('INSERT', { NewImage: scanImage('IN_PROGRESS', [requested]) }))).toEqual([requested]);
    });

    it('publishes the image.scanned a finish wrote, and nothing for the worker claiming the scan', () => {
      const claimed = record('MODIFY', { OldImage: scanImage('IN_PROGRESS', [requested]), NewImage: scanImage('IN_PROGRESS') });
      const finished = record('MODIFY', { OldImage: scanImage('IN_PROGRESS'), NewImage: scanImage('COMPLETE', [scanned]) });

      expect(eventsFromStreamRecord(claimed)).toEqual([]);
      expect(eventsFromStreamRecord(finished)).toEqual([scanned]);
    });

    it('does not publish again events the old image already held, nor anything for a removed scan or a findings part', () => {
      const untouched = record('MODIFY', { OldImage: scanImage('COMPLETE', [scanned]), NewImage: scanImage('COMPLETE', [scanned]) });
      const removed = record('REMOVE', { OldImage: scanImage('COMPLETE', [scanned]) });
      const part = record('INSERT', { NewImage: { PK, SK: { S: `SCAN#${D1}#PART#g1#0000` }, bytes: { B: 'AAAA' } } });

      expect([untouched, removed, part].flatMap((r) => eventsFromStreamRecord(r))).toEqual([]);
    });

    it('refuses a scan item whose events are not registry events', () => {
      const broken = record('INSERT', { NewImage: { ...scanImage('IN_PROGRESS'), events: { S: '[{"type":"image.scanned"}]' } } });

      expect(() => eventsFromStreamRecord(broken)).toThrow(MalformedEventError);
    });
  });

  it('publishes the image.replicated a replication status item carries, once', () => {
    const replicated = newEvent(
      'image.replicated',
      { registry: '123456789012:us-west-2', repository: 'team/app', digest: D1, source: '123456789012:us-east-1', result: 'SUCCESS', tags: ['v1'] },
      new Date('2026-11-29T11:00:00Z'),
      '00000000-0000-4000-8000-000000000003',
    );
    const status = (events?: unknown[]) => ({
      PK,
      SK: { S: `REPL#${D1}#us-west-2#123456789012` },
      document: { S: '{}' },
      ...(events ? { events: { S: JSON.stringify(events) } } : {}),
    });

    expect(eventsFromStreamRecord(record('INSERT', { NewImage: status([replicated]) }))).toEqual([replicated]);
    expect(eventsFromStreamRecord(record('MODIFY', { OldImage: status([replicated]), NewImage: status([replicated]) }))).toEqual([]);
    expect(eventsFromStreamRecord(record('MODIFY', { OldImage: status([replicated]), NewImage: status() }))).toEqual([]);
  });

  describe('event ids', () => {
    it('derives the same UUID from a redelivered record and a different one from another record', () => {
      const insert = (eventID: string) => eventsFromStreamRecord(record('INSERT', { NewImage: tagImage('v1', D1, 1) }, eventID))[0]?.id;

      expect(insert('c4ca4238a0b923820dcc509a6f75849b')).toBe(insert('c4ca4238a0b923820dcc509a6f75849b'));
      expect(insert('c4ca4238a0b923820dcc509a6f75849b')).not.toBe(insert('c81e728d9d4c2f636f067f89cc14862c'));
      expect(insert('c4ca4238a0b923820dcc509a6f75849b')).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    });
  });

  describe('malformed records', () => {
    it('refuses a tag record without the images a NEW_AND_OLD_IMAGES stream carries', () => {
      const keysOnly = record('REMOVE', { OldImage: tagImage('v1', D1, 1) });
      delete keysOnly.dynamodb?.OldImage;

      expect(() => eventsFromStreamRecord(keysOnly)).toThrow(MalformedEventError);
    });

    it('refuses a record without an eventID or keys', () => {
      const noId = record('INSERT', { NewImage: tagImage('v1', D1, 1) });
      delete noId.eventID;
      const noKeys = record('INSERT', { NewImage: tagImage('v1', D1, 1) });
      delete noKeys.dynamodb?.Keys;

      expect(() => eventsFromStreamRecord(noId)).toThrow(MalformedEventError);
      expect(() => eventsFromStreamRecord(noKeys)).toThrow(MalformedEventError);
    });
  });
});
