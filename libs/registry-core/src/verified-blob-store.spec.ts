import { Readable } from 'node:stream';
import { digestOf } from '@cargohold/oci';
import { MemoryBlobStore } from '@cargohold/storage-memory';
import { BlobCorruptError, type BlobStore } from '@cargohold/storage-ports';
import { bodyOf, bytesOf, readAll } from '@cargohold/storage-testing';
import { checkStoredBlob, VerifiedBlobStore } from './verified-blob-store';

const ACCEPT = () => undefined;

/** Reads a body to its end or its error, keeping what arrived before the error. */
async function drain(body: Readable): Promise<{ bytes: Buffer; error?: unknown }> {
  const chunks: Buffer[] = [];
  try {
    for await (const chunk of body) chunks.push(chunk as Buffer);
    return { bytes: Buffer.concat(chunks) };
  } catch (error) {
    return { bytes: Buffer.concat(chunks), error };
  }
}

/** Bad bytes under a digest, as a disk would leave them: the memory adapter keeps whatever it is given. */
function storeWith(digest: ReturnType<typeof digestOf>, bytes: Buffer): MemoryBlobStore {
  const memory = new MemoryBlobStore();
  memory.keep(digest, bytes);
  return memory;
}

/** A store whose reads come up `missing` bytes short of the size it reports (a file truncated mid-read). */
function shortReads(inner: BlobStore, missing: number): BlobStore {
  return {
    ...inner,
    stat: (digest) => inner.stat(digest),
    put: (digest, body, verify) => inner.put(digest, body, verify),
    delete: (digest) => inner.delete(digest),
    quarantine: (digest) => inner.quarantine(digest),
    open: async (digest, range) => {
      const opened = await inner.open(digest, range);
      if (!opened.found) return opened;
      const bytes = await readAll(opened.body);
      return { ...opened, body: Readable.from([bytes.subarray(0, bytes.length - missing)]) };
    },
  };
}

describe('VerifiedBlobStore', () => {
  const good = bytesOf(300_000, 5);
  const digest = digestOf(good);
  const flipped = Buffer.from(good);
  flipped[150_000] = (flipped[150_000] as number) ^ 1;

  describe('open', () => {
    it('serves good bytes unchanged, whole and in ranges', async () => {
      const memory = new MemoryBlobStore();
      await memory.put(digest, bodyOf(good, 10_000), ACCEPT);
      const blobs = new VerifiedBlobStore(memory);

      const whole = await blobs.open(digest);
      if (!whole.found) throw new Error('blob not found');
      expect((await readAll(whole.body)).equals(good)).toBe(true);
      const ranged = await blobs.open(digest, { start: 100, end: 199 });
      if (!ranged.found) throw new Error('blob not found');
      expect((await readAll(ranged.body)).equals(good.subarray(100, 200))).toBe(true);
      expect(await memory.stat(digest)).toEqual({ found: true, size: good.length });
    });

    it('errors a whole read of bytes that do not hash to the digest before their last byte, and quarantines them', async () => {
      const memory = storeWith(digest, flipped);
      const opened = await new VerifiedBlobStore(memory).open(digest);
      if (!opened.found) throw new Error('blob not found');

      const { bytes, error } = await drain(opened.body);
      expect(error).toBeInstanceOf(BlobCorruptError);
      expect(error).toMatchObject({ code: 'BLOB_UNKNOWN', detail: { digest } });
      expect(bytes.length).toBeLessThan(good.length);
      expect(await memory.stat(digest)).toEqual({ found: false });
      expect(memory.quarantined.get(digest)?.equals(flipped)).toBe(true);
    });

    it('hashes a range that covers the whole blob like a whole read', async () => {
      const memory = storeWith(digest, flipped);
      const opened = await new VerifiedBlobStore(memory).open(digest, { start: 0, end: good.length - 1 });
      if (!opened.found) throw new Error('blob not found');

      expect((await drain(opened.body)).error).toBeInstanceOf(BlobCorruptError);
      expect(await memory.stat(digest)).toEqual({ found: false });
    });

    it('errors a whole read that comes up short, and quarantines the blob', async () => {
      const memory = new MemoryBlobStore();
      await memory.put(digest, bodyOf(good), ACCEPT);
      const opened = await new VerifiedBlobStore(shortReads(memory, 10)).open(digest);
      if (!opened.found) throw new Error('blob not found');

      const { error } = await drain(opened.body);
      expect(error).toBeInstanceOf(BlobCorruptError);
      expect((error as Error).message).toContain(`read ${good.length - 10} of ${good.length} bytes`);
      expect(await memory.stat(digest)).toEqual({ found: false });
    });

    it('errors a ranged read that comes up short without a verdict on the blob', async () => {
      const memory = new MemoryBlobStore();
      await memory.put(digest, bodyOf(good), ACCEPT);
      const opened = await new VerifiedBlobStore(shortReads(memory, 1)).open(digest, { start: 0, end: 99 });
      if (!opened.found) throw new Error('blob not found');

      const { bytes, error } = await drain(opened.body);
      expect(error).toBeInstanceOf(BlobCorruptError);
      expect(bytes.length).toBe(99);
      expect(await memory.stat(digest)).toEqual({ found: true, size: good.length });
    });

    it('answers found:false for a quarantined blob, and a put heals it', async () => {
      const memory = storeWith(digest, flipped);
      const blobs = new VerifiedBlobStore(memory);
      await blobs.quarantine(digest);
      expect(await blobs.open(digest)).toEqual({ found: false });

      await blobs.put(digest, bodyOf(good), ACCEPT);
      const healed = await blobs.open(digest);
      if (!healed.found) throw new Error('blob not found');
      expect((await readAll(healed.body)).equals(good)).toBe(true);
    });
  });

  describe('checkStoredBlob', () => {
    it('tells good, corrupt and missing bytes apart without quarantining anything', async () => {
      const memory = storeWith(digest, flipped);
      const other = bytesOf(10, 1);
      await memory.put(digestOf(other), bodyOf(other), ACCEPT);
      let counted = 0;

      expect(await checkStoredBlob(memory, digestOf(other), (n) => (counted += n))).toEqual({ status: 'ok', size: 10 });
      expect(counted).toBe(10);
      expect(await checkStoredBlob(memory, digest)).toEqual({ status: 'corrupt', reason: expect.stringContaining('the bytes hash to sha256:') });
      expect(await checkStoredBlob(memory, digestOf(bytesOf(1, 2)))).toEqual({ status: 'missing' });
      expect(await memory.stat(digest)).toEqual({ found: true, size: good.length });
    });
  });
});
