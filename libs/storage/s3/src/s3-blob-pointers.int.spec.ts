import { randomUUID } from 'node:crypto';
import { DeleteObjectCommand, HeadObjectCommand, ListObjectsV2Command, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { digestOf, type Digest } from '@cargohold/oci';
import { bodyOf, bytesOf, readAll } from '@cargohold/storage-testing';
import { createS3BlobStorage, presignBlobUrl } from './index';
import { startS3rver, type S3rverHandle } from './testing';

const MiB = 1024 * 1024;
const ACCEPT = () => undefined;
/** The error of a call that met an injected failure (behind the adapter's error boundary). */
const DIED = { cause: { message: expect.stringMatching(/^injected /) as unknown } };

/** Fails the first request of `command` whose key ends with `suffix`, as a process dying there would stop. */
function failingOnce(client: S3Client, command: string, suffix: string): S3Client {
  let failed = false;
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const key = (args.input as { Key?: string }).Key ?? '';
      if (!failed && context.commandName === command && key.endsWith(suffix)) {
        failed = true;
        throw new Error(`injected ${command} failure`);
      }
      return next(args);
    },
    { step: 'initialize', name: 'spec-fail-once' },
  );
  return client;
}

/** Counts the requests of each command a client sends. */
function counting(client: S3Client): Map<string, number> {
  const counts = new Map<string, number>();
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const name = context.commandName ?? '';
      counts.set(name, (counts.get(name) ?? 0) + 1);
      return next(args);
    },
    { step: 'initialize', name: 'spec-count' },
  );
  return counts;
}

describe('S3 blobs published in place by a commit', () => {
  let s3: S3rverHandle;
  let client: S3Client;
  let prefix: string;
  let id: string;
  const bytes = bytesOf(6 * MiB + 123, 21);
  const digest = digestOf(bytes);
  const blobKey = `blobs/sha256/${digest.slice('sha256:'.length)}`;
  const open = (s3Client = s3.client()) => createS3BlobStorage({ client: s3Client, bucket: s3.bucket, prefix });
  const keys = async (under = ''): Promise<string[]> => {
    const listed = await client.send(new ListObjectsV2Command({ Bucket: s3.bucket, Prefix: `${prefix}/${under}` }));
    return (listed.Contents ?? []).map((object) => (object.Key ?? '').slice(prefix.length + 1)).sort();
  };
  const head = async (key: string) => client.send(new HeadObjectCommand({ Bucket: s3.bucket, Key: `${prefix}/${key}` }));
  const stage = async (storage = open()) => {
    await storage.uploads.create(id);
    await storage.uploads.append(id, 0, bodyOf(bytes));
  };
  const committed = async (storage = open()) => {
    await stage(storage);
    await storage.uploads.commit(id, digest, bytes.length);
  };
  const readBack = async (target: Digest = digest) => {
    const opened = await open().blobs.open(target);
    if (!opened.found) throw new Error('blob not found');
    return readAll(opened.body);
  };

  beforeAll(async () => {
    s3 = await startS3rver();
    client = s3.client();
  });
  afterAll(async () => {
    await s3.stop();
  });
  beforeEach(() => {
    prefix = `spec-${randomUUID()}`;
    id = randomUUID();
  });

  it('writes a pointer at blobs/<alg>/<hex> to the completed data object, and copies nothing', async () => {
    const s3Client = s3.client();
    const calls = counting(s3Client);
    await committed(open(s3Client));

    expect(calls.get('CopyObjectCommand') ?? 0).toBe(0);
    const data = await keys('data/');
    expect(data).toEqual([expect.stringMatching(new RegExp(`^data/${id}/[0-9a-f-]{36}$`))]);
    expect(await keys()).toEqual([blobKey, ...data].sort());
    const pointer = await head(blobKey);
    expect(pointer.ContentLength).toBe(0);
    expect(pointer.Metadata).toEqual({ 'cargohold-target': data[0], 'cargohold-size': String(bytes.length) });
    expect((await head(data[0] ?? '')).ContentLength).toBe(bytes.length);
  });

  it('serves the bytes behind the pointer: stat, open, ranges and presigned URLs', async () => {
    await committed();
    const { blobs } = open();
    expect(await blobs.stat(digest)).toEqual({ found: true, size: bytes.length });
    expect((await readBack()).equals(bytes)).toBe(true);
    const ranged = await blobs.open(digest, { start: 5 * MiB, end: 5 * MiB + 99 });
    if (!ranged.found) throw new Error('blob not found');
    expect(ranged.size).toBe(bytes.length);
    expect((await readAll(ranged.body)).equals(bytes.subarray(5 * MiB, 5 * MiB + 100))).toBe(true);

    const url = await presignBlobUrl(client, s3.bucket, prefix, digest, 300);
    if (url === undefined) throw new Error('no URL for a stored blob');
    expect(new URL(url).pathname).toContain(`/data/${id}/`);
    const response = await fetch(url, { headers: { Range: 'bytes=10-19' } });
    expect(response.status).toBe(206);
    expect(Buffer.from(await response.arrayBuffer()).equals(bytes.subarray(10, 20))).toBe(true);
  });

  it('deletes the pointer and its data', async () => {
    await committed();
    await open().blobs.delete(digest);
    expect(await keys()).toEqual([]);
    expect(await open().blobs.stat(digest)).toEqual({ found: false });
  });

  it('keeps the pointer and its data when the same bytes are put again, stranding nothing', async () => {
    await committed();
    const before = await keys();
    await expect(open().blobs.put(digest, bodyOf(bytes), ACCEPT)).resolves.toEqual({ size: bytes.length });
    expect(await keys()).toEqual(before);
    expect((await readBack()).equals(bytes)).toBe(true);
  });

  it('quarantines the pointer with its data aside, publishes a re-push afresh, and frees the older data on the next quarantine', async () => {
    await committed();
    const [first] = await keys('data/');
    const { blobs } = open();
    await blobs.quarantine(digest);
    expect(await blobs.stat(digest)).toEqual({ found: false });
    expect(await blobs.open(digest, { start: 0, end: 9 })).toEqual({ found: false });
    expect(await presignBlobUrl(client, s3.bucket, prefix, digest, 300)).toBeUndefined();
    expect((await head(`corrupt/sha256/${digest.slice('sha256:'.length)}`)).Metadata).toMatchObject({ 'cargohold-target': first });

    id = randomUUID();
    await committed();
    expect((await readBack()).equals(bytes)).toBe(true);
    const [second] = (await keys('data/')).filter((key) => key !== first);
    await blobs.quarantine(digest);
    expect(await keys('data/')).toEqual([second]);
    expect(await keys('blobs/')).toEqual([]);
  });

  it('reads a pointer whose data is gone as no blob, and a later commit of the digest publishes again', async () => {
    await committed();
    const [data] = await keys('data/');
    await client.send(new DeleteObjectCommand({ Bucket: s3.bucket, Key: `${prefix}/${data}` }));
    const { blobs } = open();
    expect(await blobs.stat(digest)).toEqual({ found: false });
    expect(await blobs.open(digest)).toEqual({ found: false });
    expect(await blobs.open(digest, { start: 0, end: 0 })).toEqual({ found: false });

    id = randomUUID();
    await committed();
    expect((await readBack()).equals(bytes)).toBe(true);
  });

  describe('a commit that died', () => {
    it.each(['commit', 'abort'] as const)('after its pointer: the blob stays published through a later %s', async (then) => {
      await stage();
      const dying = open(failingOnce(s3.client(), 'DeleteObjectCommand', `uploads/${id}/state.json`));
      await expect(dying.uploads.commit(id, digest, bytes.length)).rejects.toMatchObject(DIED);

      const { uploads } = open();
      if (then === 'commit') await uploads.commit(id, digest, bytes.length);
      else await uploads.abort(id);
      expect((await readBack()).equals(bytes)).toBe(true);
      expect(await keys('uploads/')).toEqual([]);
      expect(await keys('data/')).toHaveLength(1);
    });

    it('before its pointer: a retry publishes the data, an abort frees it', async () => {
      await stage();
      const dying = open(failingOnce(s3.client(), 'PutObjectCommand', blobKey));
      await expect(dying.uploads.commit(id, digest, bytes.length)).rejects.toMatchObject(DIED);
      expect(await open().blobs.stat(digest)).toEqual({ found: false });
      await open().uploads.abort(id);
      expect(await keys()).toEqual([]);

      id = randomUUID();
      await stage();
      await expect(open(failingOnce(s3.client(), 'PutObjectCommand', blobKey)).uploads.commit(id, digest, bytes.length)).rejects.toMatchObject(DIED);
      await open().uploads.commit(id, digest, bytes.length);
      expect((await readBack()).equals(bytes)).toBe(true);
      expect(await keys('uploads/')).toEqual([]);
    });

    it('after its pointer, then more bytes appended: the published data stays, the new bytes are the upload’s', async () => {
      await stage();
      await expect(
        open(failingOnce(s3.client(), 'DeleteObjectCommand', `uploads/${id}/state.json`)).uploads.commit(id, digest, bytes.length),
      ).rejects.toMatchObject(DIED);
      const { uploads } = open();
      await uploads.append(id, bytes.length, bodyOf(bytesOf(5 * MiB, 22)));
      await uploads.abort(id);
      expect((await readBack()).equals(bytes)).toBe(true);
      expect(await keys('data/')).toHaveLength(1);
      expect(await keys('uploads/')).toEqual([]);
    });
  });

  it('copies to blobs/ an upload an older version staged under uploads/<id>/, as that version did', async () => {
    const staged = `${prefix}/uploads/${id}/data-${randomUUID()}`;
    await client.send(new PutObjectCommand({ Bucket: s3.bucket, Key: staged, Body: bytes }));
    const state = { version: 1, base: { key: staged, size: bytes.length } };
    await client.send(new PutObjectCommand({ Bucket: s3.bucket, Key: `${prefix}/uploads/${id}/state.json`, Body: JSON.stringify(state) }));

    await open().uploads.commit(id, digest, bytes.length);
    expect(await keys()).toEqual([blobKey]);
    expect((await head(blobKey)).ContentLength).toBe(bytes.length);
    expect((await readBack()).equals(bytes)).toBe(true);
  });
});
