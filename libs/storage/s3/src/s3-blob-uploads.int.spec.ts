import { randomUUID } from 'node:crypto';
import { GetObjectCommand, ListObjectsV2Command, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { digestOf } from '@cargohold/oci';
import { UploadUnknownError } from '@cargohold/storage-ports';
import { bodyOf, bytesOf, failingBody, readAll } from '@cargohold/storage-testing';
import { createS3BlobStorage, S3StorageError } from './index';
import { S3BlobUploads } from './s3-blob-uploads';
import { S3Layout } from './s3-layout';
import { S3Objects } from './s3-objects';
import { startS3rver, type S3rverHandle } from './testing';

const KiB = 1024;
const MiB = 1024 * KiB;

describe('S3BlobUploads', () => {
  let s3: S3rverHandle;
  let client: S3Client;
  let prefix: string;
  let id: string;
  const open = () => createS3BlobStorage({ client: s3.client(), bucket: s3.bucket, prefix });
  const keys = async (under: string): Promise<string[]> => {
    const listed = await client.send(new ListObjectsV2Command({ Bucket: s3.bucket, Prefix: `${prefix}/${under}` }));
    return (listed.Contents ?? []).map((object) => (object.Key ?? '').slice(prefix.length + 1)).sort();
  };
  const state = async (): Promise<{ multipart?: { parts: { size: number }[] }; tail?: { size: number }; base?: { size: number } }> => {
    const got = await client.send(new GetObjectCommand({ Bucket: s3.bucket, Key: `${prefix}/uploads/${id}/state.json` }));
    return JSON.parse(await (got.Body as NonNullable<typeof got.Body>).transformToString()) as never;
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

  describe('parts and tail', () => {
    it('keeps chunks of 1 MiB, 6 MiB and 3 KiB as one 5 MiB part plus a tail, and commits them in order', async () => {
      const { uploads, blobs } = open();
      const bytes = bytesOf(7 * MiB + 3 * KiB, 5);
      await uploads.create(id);

      await expect(uploads.append(id, 0, bodyOf(bytes.subarray(0, MiB)))).resolves.toEqual({ size: MiB });
      expect(await state()).toMatchObject({ tail: { size: MiB } });
      expect((await state()).multipart).toBeUndefined();

      await expect(uploads.append(id, MiB, bodyOf(bytes.subarray(MiB, 7 * MiB)))).resolves.toEqual({ size: 7 * MiB });
      expect(await state()).toMatchObject({ multipart: { parts: [{ size: 5 * MiB }] }, tail: { size: 2 * MiB } });

      await uploads.append(id, 7 * MiB, bodyOf(bytes.subarray(7 * MiB)));
      expect(await state()).toMatchObject({ multipart: { parts: [{ size: 5 * MiB }] }, tail: { size: 2 * MiB + 3 * KiB } });
      expect(await uploads.status(id)).toEqual({ found: true, size: bytes.length });
      expect((await keys(`uploads/${id}/`)).filter((key) => key.includes('/tail-'))).toHaveLength(1);

      await uploads.commit(id, digestOf(bytes), bytes.length);
      const opened = await blobs.open(digestOf(bytes));
      if (!opened.found) throw new Error('blob not found');
      expect((await readAll(opened.body)).equals(bytes)).toBe(true);
      expect(await keys('uploads/')).toEqual([]);
      expect(await keys('blobs/')).toEqual([`blobs/sha256/${digestOf(bytes).slice('sha256:'.length)}`]);
    });

    it('rolls back a chunk that failed after flushing a part, and reuses its part number', async () => {
      const { uploads } = open();
      const bytes = bytesOf(12 * MiB, 6);
      await uploads.create(id);
      await uploads.append(id, 0, bodyOf(bytes.subarray(0, MiB)));
      const broken = failingBody(bytesOf(8 * MiB, 66), 7 * MiB, new Error('client disconnected'), 256 * KiB);
      await expect(uploads.append(id, MiB, broken)).rejects.toThrow('client disconnected');
      expect(await uploads.status(id)).toEqual({ found: true, size: MiB });

      await uploads.append(id, MiB, bodyOf(bytes.subarray(MiB)));
      await uploads.commit(id, digestOf(bytes), bytes.length);
    });
  });

  describe('part sizes', () => {
    const uploadsCutBy = (schedule: (number: number) => number, s3Client = client) =>
      new S3BlobUploads(new S3Objects(s3Client, s3.bucket), new S3Layout(prefix), schedule);

    it('continues an upload whose state.json the old code wrote (fixed 5 MiB parts) with the next part number', async () => {
      const bytes = bytesOf(14 * MiB + 5, 11);
      const older = uploadsCutBy(() => 5 * MiB);
      await older.create(id);
      await older.append(id, 0, bodyOf(bytes.subarray(0, 11 * MiB)));
      expect(await state()).toMatchObject({ multipart: { parts: [{ size: 5 * MiB }, { size: 5 * MiB }] }, tail: { size: MiB } });

      // A schedule where part n is n MiB: part 3 is cut at 3 MiB after the old 5 MiB parts.
      const newer = uploadsCutBy((number) => number * MiB);
      await newer.append(id, 11 * MiB, bodyOf(bytes.subarray(11 * MiB), 256 * KiB));
      expect(await state()).toMatchObject({
        multipart: { parts: [{ size: 5 * MiB }, { size: 5 * MiB }, { size: 3 * MiB }] },
        tail: { size: MiB + 5 },
      });

      const { uploads, blobs } = open();
      await uploads.commit(id, digestOf(bytes), bytes.length);
      const opened = await blobs.open(digestOf(bytes));
      if (!opened.found) throw new Error('blob not found');
      expect((await readAll(opened.body)).equals(bytes)).toBe(true);
    });

    it('rolls back an append whose part failed in S3 while the body was still streaming', async () => {
      const flaky = s3.client();
      let failures = 0;
      flaky.middlewareStack.add(
        (next, context) => async (args) => {
          const input = args.input as { PartNumber?: number };
          if (context.commandName === 'UploadPartCommand' && input.PartNumber === 2 && failures++ === 0) throw new Error('injected UploadPart failure');
          return next(args);
        },
        { step: 'initialize', name: 'spec-fail-part-2' },
      );
      const uploads = uploadsCutBy(() => 2 * MiB, flaky);
      const bytes = bytesOf(9 * MiB, 12);
      await uploads.create(id);
      await uploads.append(id, 0, bodyOf(bytes.subarray(0, MiB)));

      await expect(uploads.append(id, MiB, bodyOf(bytes.subarray(MiB), 256 * KiB))).rejects.toBeInstanceOf(S3StorageError);
      expect(await uploads.status(id)).toEqual({ found: true, size: MiB });
      expect(await state()).toMatchObject({ tail: { size: MiB } });

      await uploads.append(id, MiB, bodyOf(bytes.subarray(MiB), 256 * KiB));
      expect((await state()).multipart?.parts.map((part) => part.size)).toEqual([2 * MiB, 2 * MiB, 2 * MiB, 2 * MiB]);
      await uploads.commit(id, digestOf(bytes), bytes.length);
      expect(await open().blobs.stat(digestOf(bytes))).toEqual({ found: true, size: bytes.length });
    });
  });

  describe('parts in flight', () => {
    it('records parts S3 stored out of order by number, and commits the bytes in order', async () => {
      const slow = s3.client();
      slow.middlewareStack.add(
        (next, context) => async (args) => {
          const input = args.input as { PartNumber?: number };
          if (context.commandName === 'UploadPartCommand' && input.PartNumber === 2) await new Promise((resolve) => setTimeout(resolve, 300));
          return next(args);
        },
        { step: 'initialize', name: 'spec-slow-part-2' },
      );
      const uploads = new S3BlobUploads(new S3Objects(slow, s3.bucket), new S3Layout(prefix), () => 2 * MiB);
      const bytes = bytesOf(7 * MiB, 13);
      await uploads.create(id);
      await uploads.append(id, 0, bodyOf(bytes, 256 * KiB));
      expect((await state()).multipart?.parts.map((part) => (part as { number?: number }).number)).toEqual([1, 2, 3]);

      await uploads.commit(id, digestOf(bytes), bytes.length);
      const opened = await open().blobs.open(digestOf(bytes));
      if (!opened.found) throw new Error('blob not found');
      expect((await readAll(opened.body)).equals(bytes)).toBe(true);
    });
  });

  describe('across instances', () => {
    it('completes in a fresh instance an upload another instance began', async () => {
      const bytes = bytesOf(6 * MiB + 3 * KiB, 7);
      const first = open();
      await first.uploads.create(id);
      await first.uploads.append(id, 0, bodyOf(bytes.subarray(0, 6 * MiB)));

      const second = open();
      expect(await second.uploads.status(id)).toEqual({ found: true, size: 6 * MiB });
      await second.uploads.append(id, 6 * MiB, bodyOf(bytes.subarray(6 * MiB)));
      await open().uploads.commit(id, digestOf(bytes), bytes.length);
      expect(await first.blobs.stat(digestOf(bytes))).toEqual({ found: true, size: bytes.length });
    });
  });

  describe('reading back', () => {
    it('completes the staged bytes into a base to read them, and later appends build on it', async () => {
      const { uploads, blobs } = open();
      const bytes = bytesOf(12 * MiB + 5, 8);
      await uploads.create(id);
      await uploads.append(id, 0, bodyOf(bytes.subarray(0, 6 * MiB)));

      expect((await readAll(uploads.read(id, 0))).equals(bytes.subarray(0, 6 * MiB))).toBe(true);
      expect((await readAll(uploads.read(id, 5 * MiB + 7))).equals(bytes.subarray(5 * MiB + 7, 6 * MiB))).toBe(true);
      expect(await state()).toMatchObject({ base: { size: 6 * MiB } });
      expect(await keys('blobs/')).toEqual([]);
      expect(await uploads.status(id)).toEqual({ found: true, size: 6 * MiB });

      // The assembled bytes become the base of a new multipart upload when more parts arrive.
      await uploads.append(id, 6 * MiB, bodyOf(bytes.subarray(6 * MiB, 12 * MiB)));
      await uploads.append(id, 12 * MiB, bodyOf(bytes.subarray(12 * MiB)));
      await uploads.commit(id, digestOf(bytes), bytes.length);
      const opened = await blobs.open(digestOf(bytes));
      if (!opened.found) throw new Error('blob not found');
      expect((await readAll(opened.body)).equals(bytes)).toBe(true);
      expect(await keys('uploads/')).toEqual([]);
    });

    it('commits when only a small tail was added to an assembled base', async () => {
      const { uploads } = open();
      const bytes = bytesOf(5 * MiB + 10, 9);
      await uploads.create(id);
      await uploads.append(id, 0, bodyOf(bytes.subarray(0, 5 * MiB)));
      await readAll(uploads.read(id, 0));
      expect(await state()).toMatchObject({ base: { size: 5 * MiB } });

      await uploads.append(id, 5 * MiB, bodyOf(bytes.subarray(5 * MiB)));
      await uploads.commit(id, digestOf(bytes), bytes.length);
      expect(await open().blobs.stat(digestOf(bytes))).toEqual({ found: true, size: bytes.length });
    });

    it('keeps the hash state in state.json, written with the bytes it covers', async () => {
      const { uploads } = open();
      const saved = { algorithm: 'sha256' as const, offset: MiB, state: new Uint8Array(bytesOf(108, 3)) };
      await uploads.create(id);
      await uploads.append(id, 0, bodyOf(bytesOf(MiB, 4)), () => saved);
      expect(await state()).toMatchObject({ hash: { algorithm: 'sha256', offset: MiB, state: Buffer.from(saved.state).toString('base64') } });
      await readAll(uploads.read(id, 0));
      expect(await uploads.status(id)).toEqual({ found: true, size: MiB, hashState: saved });
    });
  });

  describe('ids, list and abort', () => {
    it.each(['../x', '', 'x/../../y', 'A'.repeat(36), `${'0'.repeat(35)}/`])('refuses %j before touching any key', async (hostile) => {
      const { uploads } = open();
      await expect(uploads.create(hostile)).rejects.toBeInstanceOf(UploadUnknownError);
      await expect(uploads.append(hostile, 0, bodyOf(bytesOf(3)))).rejects.toBeInstanceOf(UploadUnknownError);
      await expect(uploads.commit(hostile, digestOf(bytesOf(3)), 3)).rejects.toBeInstanceOf(UploadUnknownError);
      expect(await uploads.status(hostile)).toEqual({ found: false });
      await uploads.abort(hostile);
      expect(await keys('')).toEqual([]);
    });

    it('lists an orphan left without state.json once, and abort purges it', async () => {
      const { uploads } = open();
      await uploads.create(id);
      await uploads.append(id, 0, bodyOf(bytesOf(100)));
      const orphan = randomUUID();
      for (const name of ['tail-1', 'tail-2']) {
        await client.send(new PutObjectCommand({ Bucket: s3.bucket, Key: `${prefix}/uploads/${orphan}/${name}`, Body: 'x' }));
      }
      const ids: string[] = [];
      for await (const each of uploads.list()) ids.push(each);
      expect(ids.sort()).toEqual([id, orphan].sort());

      await uploads.abort(orphan);
      await uploads.abort(id);
      expect(await keys('uploads/')).toEqual([]);
    });

    it('aborts an upload holding a multipart upload and a tail', async () => {
      const { uploads } = open();
      await uploads.create(id);
      await uploads.append(id, 0, bodyOf(bytesOf(6 * MiB)));
      await uploads.abort(id);
      expect(await uploads.status(id)).toEqual({ found: false });
      expect(await keys('uploads/')).toEqual([]);
    });
  });
});
