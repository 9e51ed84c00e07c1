import { randomUUID } from 'node:crypto';
import { digestOf } from '@cargohold/oci';
import { createMemoryStorage } from '@cargohold/storage-memory';
import { DigestMismatchError, SizeLimitError, SizeMismatchError, UploadOffsetMismatchError, type BlobUploads } from '@cargohold/storage-ports';
import { bodyOf, bytesOf, failingBody } from '@cargohold/storage-testing';
import type { BodyLimits } from './metered-body';
import { VerifyingWriter } from './verifying-writer';

const LIMIT = { maxBytes: 1 << 20 };
/** A chunked PATCH's body: its hash state is saved with it. */
const chunk = (offset: number, body: AsyncIterable<Uint8Array>, limits: BodyLimits) => ({ offset, body, limits, resumable: true });

describe('VerifyingWriter', () => {
  const content = bytesOf(3000, 21);
  const digest = digestOf(content);
  let storage: ReturnType<typeof createMemoryStorage>;
  let writer: VerifyingWriter;
  let id: string;
  beforeEach(async () => {
    storage = createMemoryStorage();
    writer = new VerifyingWriter(storage.uploads);
    id = randomUUID();
    await storage.uploads.create(id);
  });

  describe('append', () => {
    it('hashes each chunk once and saves the state with it', async () => {
      await writer.append(id, chunk(0, bodyOf(content.subarray(0, 1000)), LIMIT));
      await writer.append(id, chunk(1000, bodyOf(content.subarray(1000)), LIMIT));
      expect(await storage.uploads.status(id)).toMatchObject({ size: 3000, hashState: { algorithm: 'sha256', offset: 3000 } });
      await expect(writer.commit(id, digest)).resolves.toEqual({ size: 3000 });
      expect(writer.hashedBytes).toBe(3000);
      expect(await storage.blobs.stat(digest)).toEqual({ found: true, size: 3000 });
    });

    it('answers an out-of-order chunk with UploadOffsetMismatchError before reading it', async () => {
      await writer.append(id, chunk(0, bodyOf(content.subarray(0, 100)), LIMIT));
      await expect(writer.append(id, chunk(50, bodyOf(content), LIMIT))).rejects.toBeInstanceOf(UploadOffsetMismatchError);
      expect(writer.hashedBytes).toBe(100);
    });

    it('refuses a body past the size cap and rolls the chunk back', async () => {
      await writer.append(id, chunk(0, bodyOf(content.subarray(0, 100)), { maxBytes: 150 }));
      await expect(writer.append(id, chunk(100, bodyOf(content.subarray(100, 151), 10), { maxBytes: 150 }))).rejects.toBeInstanceOf(SizeLimitError);
      expect(await storage.uploads.status(id)).toMatchObject({ size: 100 });
      await expect(writer.append(id, chunk(100, bodyOf(content.subarray(100, 150)), { maxBytes: 150 }))).resolves.toEqual({ size: 150 });
    });

    it('refuses a chunk shorter or longer than declared and rolls it back', async () => {
      await expect(writer.append(id, chunk(0, bodyOf(content.subarray(0, 99)), { ...LIMIT, expectedSize: 100 }))).rejects.toBeInstanceOf(SizeMismatchError);
      await expect(writer.append(id, chunk(0, bodyOf(content.subarray(0, 101), 10), { ...LIMIT, expectedSize: 100 }))).rejects.toBeInstanceOf(
        SizeMismatchError,
      );
      expect(await storage.uploads.status(id)).toEqual({ found: true, size: 0 });
    });

    it('resumes after a rolled-back chunk and commits the right digest', async () => {
      await writer.append(id, chunk(0, bodyOf(content.subarray(0, 1000)), LIMIT));
      await expect(writer.append(id, chunk(1000, failingBody(content.subarray(1000), 500), LIMIT))).rejects.toThrow('client disconnected');
      await writer.append(id, chunk(1000, bodyOf(content.subarray(1000)), LIMIT));
      await expect(writer.commit(id, digest)).resolves.toEqual({ size: 3000 });
    });
  });

  describe('resuming in another process', () => {
    it('hashes only the new bytes: the state saved with the first chunk is continued', async () => {
      await writer.append(id, chunk(0, bodyOf(content.subarray(0, 2000)), LIMIT));
      const other = new VerifyingWriter(storage.uploads);
      await other.append(id, chunk(2000, bodyOf(content.subarray(2000)), LIMIT));
      await expect(new VerifyingWriter(storage.uploads).commit(id, digest)).resolves.toEqual({ size: 3000 });
      expect(other.hashedBytes).toBe(1000);
    });

    it('catches up from the bytes when the saved state lags or is unusable', async () => {
      const lagging: BlobUploads = Object.create(storage.uploads, {
        status: { value: async (upload: string) => ({ ...(await storage.uploads.status(upload)), hashState: undefined }) },
      });
      await writer.append(id, chunk(0, bodyOf(content.subarray(0, 2000)), LIMIT));
      const other = new VerifyingWriter(lagging);
      await other.append(id, chunk(2000, bodyOf(content.subarray(2000)), LIMIT));
      expect(other.hashedBytes).toBe(3000);

      const garbled: BlobUploads = Object.create(storage.uploads, {
        status: {
          value: async (upload: string) => ({
            ...(await storage.uploads.status(upload)),
            hashState: { algorithm: 'sha256', offset: 3000, state: new Uint8Array(9) },
          }),
        },
      });
      await expect(new VerifyingWriter(garbled).commit(id, digest)).resolves.toEqual({ size: 3000 });
    });
  });

  describe('streamed chunks (the whole blob in one PATCH)', () => {
    const streamed = (offset: number, body: AsyncIterable<Uint8Array>) => ({ offset, body, limits: LIMIT, resumable: false });

    it('hashes them once with node:crypto and commits from the state kept in this process', async () => {
      await writer.append(id, streamed(0, bodyOf(content.subarray(0, 1000))));
      await writer.append(id, streamed(1000, bodyOf(content.subarray(1000))));
      expect(await storage.uploads.status(id)).toEqual({ found: true, size: 3000 });
      await expect(writer.commit(id, digest)).resolves.toEqual({ size: 3000 });
      expect(writer.hashedBytes).toBe(3000);
    });

    it('are hashed again from the bytes when another process continues the upload', async () => {
      await writer.append(id, streamed(0, bodyOf(content.subarray(0, 2000))));
      const other = new VerifyingWriter(storage.uploads);
      await expect(other.commit(id, digest, { offset: 2000, body: bodyOf(content.subarray(2000)), limits: LIMIT })).resolves.toEqual({ size: 3000 });
      expect(other.hashedBytes).toBe(3000);
    });

    it('leave no half-fed state behind when the body fails midway', async () => {
      await writer.append(id, streamed(0, bodyOf(content.subarray(0, 1000))));
      await expect(writer.append(id, streamed(1000, failingBody(content.subarray(1000), 700)))).rejects.toThrow('client disconnected');
      await writer.append(id, streamed(1000, bodyOf(content.subarray(1000))));
      await expect(writer.commit(id, digest)).resolves.toEqual({ size: 3000 });
    });
  });

  describe('commit', () => {
    it('keeps the upload and makes nothing addressable on a digest mismatch', async () => {
      await writer.append(id, chunk(0, bodyOf(content), LIMIT));
      const wrong = digestOf(bytesOf(3000, 12));
      await expect(writer.commit(id, wrong)).rejects.toBeInstanceOf(DigestMismatchError);
      expect(await storage.blobs.stat(wrong)).toEqual({ found: false });
      expect(await storage.blobs.stat(digest)).toEqual({ found: false });
      expect(await storage.uploads.status(id)).toMatchObject({ found: true, size: 3000 });
      await expect(writer.commit(id, digest)).resolves.toEqual({ size: 3000 });
    });

    it('hashes appends made after a failed commit', async () => {
      await writer.append(id, chunk(0, bodyOf(content.subarray(0, 1000)), LIMIT));
      await expect(writer.commit(id, digest)).rejects.toBeInstanceOf(DigestMismatchError);
      await writer.append(id, chunk(1000, bodyOf(content.subarray(1000)), LIMIT));
      await expect(writer.commit(id, digest)).resolves.toEqual({ size: 3000 });
    });

    it('verifies sha512 claims by hashing the staged bytes', async () => {
      await writer.append(id, chunk(0, bodyOf(content), LIMIT));
      await expect(writer.commit(id, digestOf(content, 'sha512'))).resolves.toEqual({ size: 3000 });
      expect(await storage.blobs.stat(digestOf(content, 'sha512'))).toEqual({ found: true, size: 3000 });
    });

    it('commits an empty upload', async () => {
      await expect(writer.commit(id, digestOf(new Uint8Array(0)))).resolves.toEqual({ size: 0 });
    });

    it('takes a whole blob as the last chunk, hashing it once in the claimed algorithm', async () => {
      const sha512 = digestOf(content, 'sha512');
      await expect(writer.commit(id, sha512, { offset: 0, body: bodyOf(content), limits: LIMIT })).resolves.toEqual({ size: 3000 });
      expect(writer.hashedBytes).toBe(3000);
      expect(await storage.blobs.stat(sha512)).toEqual({ found: true, size: 3000 });
    });

    it('appends a last chunk after earlier ones and verifies the whole', async () => {
      await writer.append(id, chunk(0, bodyOf(content.subarray(0, 1000)), LIMIT));
      await expect(writer.commit(id, digest, { offset: 1000, body: bodyOf(content.subarray(1000)), limits: LIMIT })).resolves.toEqual({ size: 3000 });
      expect(writer.hashedBytes).toBe(3000);
    });

    it('leaves a mismatched whole-blob upload resumable and verifiable', async () => {
      await expect(writer.commit(id, digestOf(bytesOf(10)), { offset: 0, body: bodyOf(content), limits: LIMIT })).rejects.toBeInstanceOf(DigestMismatchError);
      await expect(writer.commit(id, digest)).resolves.toEqual({ size: 3000 });
    });
  });
});
