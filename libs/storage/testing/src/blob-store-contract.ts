import { digestOf } from '@cargohold/oci';
import { DigestMismatchError } from '@cargohold/storage-ports';
import type { BlobStoreFixture, MakeBlobStore } from './blob-fixture';
import { bodyOf, bytesOf, readAll, tracked } from './streams';

const MiB = 1024 * 1024;
/** The core's comparison, accepting: it computed the digest and it matched. */
const ACCEPT = () => undefined;

/**
 * BlobStore: content-addressed, durable bytes, published only once the core's comparison accepted them
 * (metering and hashing are the core's, specified once in its putVerified spec).
 */
export function describeBlobStoreSpec(make: MakeBlobStore): void {
  describe('BlobStore', () => {
    let fx: BlobStoreFixture;
    beforeEach(async () => {
      fx = await make();
    });
    afterEach(async () => {
      await fx.cleanup();
    });

    describe('put', () => {
      it('stores a blob whose bytes match its digest and reports its size', async () => {
        const bytes = bytesOf(1000);
        const digest = digestOf(bytes);
        await expect(fx.blobs.put(digest, bodyOf(bytes, 100), ACCEPT)).resolves.toEqual({ size: 1000 });
        expect(await fx.blobs.stat(digest)).toEqual({ found: true, size: 1000 });
        const opened = await fx.blobs.open(digest);
        if (!opened.found) throw new Error('blob not found');
        expect(opened.size).toBe(1000);
        expect((await readAll(opened.body)).equals(bytes)).toBe(true);
      });

      it('accepts plain Uint8Array chunks, not only Buffers', async () => {
        const bytes = new Uint8Array([1, 2, 3, 4, 5]);
        const digest = digestOf(bytes);
        async function* plain() {
          yield bytes.slice(0, 2);
          yield bytes.slice(2);
        }
        await expect(fx.blobs.put(digest, plain(), ACCEPT)).resolves.toEqual({ size: 5 });
        expect(await fx.blobs.stat(digest)).toEqual({ found: true, size: 5 });
      });

      it('stores an empty blob', async () => {
        const digest = digestOf(new Uint8Array(0));
        await expect(fx.blobs.put(digest, bodyOf(new Uint8Array(0)), ACCEPT)).resolves.toEqual({ size: 0 });
        const opened = await fx.blobs.open(digest);
        if (!opened.found) throw new Error('blob not found');
        expect((await readAll(opened.body)).length).toBe(0);
      });

      it('streams a multi-megabyte blob through in many chunks', async () => {
        const bytes = bytesOf(5 * MiB + 123, 7);
        const digest = digestOf(bytes);
        await fx.blobs.put(digest, bodyOf(bytes, 64 * 1024), ACCEPT);
        const opened = await fx.blobs.open(digest);
        if (!opened.found) throw new Error('blob not found');
        expect((await readAll(opened.body)).equals(bytes)).toBe(true);
      });

      it('stores and serves sha512 blobs', async () => {
        const bytes = bytesOf(3000, 3);
        const digest = digestOf(bytes, 'sha512');
        await expect(fx.blobs.put(digest, bodyOf(bytes), ACCEPT)).resolves.toEqual({ size: 3000 });
        expect(await fx.blobs.stat(digest)).toEqual({ found: true, size: 3000 });
        expect(await fx.blobs.stat(digestOf(bytes))).toEqual({ found: false });
      });

      it('publishes nothing when the comparison refuses', async () => {
        const bytes = bytesOf(500);
        const claimed = digestOf(bytesOf(500, 2));
        const refuse = () => {
          throw new DigestMismatchError(claimed, digestOf(bytes));
        };
        await expect(fx.blobs.put(claimed, bodyOf(bytes), refuse)).rejects.toBeInstanceOf(DigestMismatchError);
        expect(await fx.blobs.stat(claimed)).toEqual({ found: false });
        expect(await fx.blobs.stat(digestOf(bytes))).toEqual({ found: false });
        expect(await fx.blobs.open(claimed)).toEqual({ found: false });
      });

      it('asks for the comparison only once the body was read to its end', async () => {
        const bytes = bytesOf(6 * MiB + 5, 4);
        const body = tracked(bodyOf(bytes, 256 * 1024));
        let drained = false;
        await fx.blobs.put(digestOf(bytes), body.body, () => {
          drained = body.drained();
        });
        expect(drained).toBe(true);
      });

      it('keeps an existing blob addressable when the same bytes are put again', async () => {
        const bytes = bytesOf(800);
        const digest = digestOf(bytes);
        await fx.blobs.put(digest, bodyOf(bytes), ACCEPT);
        await expect(fx.blobs.put(digest, bodyOf(bytes), ACCEPT)).resolves.toEqual({ size: 800 });
        const opened = await fx.blobs.open(digest);
        if (!opened.found) throw new Error('blob not found');
        expect((await readAll(opened.body)).equals(bytes)).toBe(true);
      });

      it('stores nothing when the body fails midway', async () => {
        const bytes = bytesOf(100);
        const digest = digestOf(bytes);
        async function* broken() {
          yield bytes.subarray(0, 50);
          throw new Error('client disconnected');
        }
        await expect(fx.blobs.put(digest, broken(), ACCEPT)).rejects.toThrow('client disconnected');
        expect(await fx.blobs.stat(digest)).toEqual({ found: false });
      });
    });

    describe('open', () => {
      const bytes = bytesOf(1000, 5);
      const digest = digestOf(bytes);
      beforeEach(async () => {
        await fx.blobs.put(digest, bodyOf(bytes), ACCEPT);
      });
      const read = async (start: number, end: number) => {
        const opened = await fx.blobs.open(digest, { start, end });
        if (!opened.found) throw new Error('blob not found');
        return { size: opened.size, bytes: await readAll(opened.body) };
      };

      it('reads the first byte of a range', async () => {
        const got = await read(0, 0);
        expect(got.bytes.equals(bytes.subarray(0, 1))).toBe(true);
      });

      it('reads the last byte of a range', async () => {
        const got = await read(999, 999);
        expect(got.bytes.equals(bytes.subarray(999))).toBe(true);
      });

      it('reads an inclusive range from the middle and reports the whole blob size', async () => {
        const got = await read(100, 299);
        expect(got.bytes.equals(bytes.subarray(100, 300))).toBe(true);
        expect(got.size).toBe(1000);
      });

      it('answers found:false for an unknown digest', async () => {
        expect(await fx.blobs.open(digestOf(bytesOf(1, 42)))).toEqual({ found: false });
        expect(await fx.blobs.stat(digestOf(bytesOf(1, 42)))).toEqual({ found: false });
      });
    });

    describe('quarantine', () => {
      const bytes = bytesOf(2000, 9);
      const digest = digestOf(bytes);

      it('makes the blob unaddressable, and a put of the digest publishes it again', async () => {
        await fx.blobs.put(digest, bodyOf(bytes), ACCEPT);
        await fx.blobs.quarantine(digest);
        expect(await fx.blobs.stat(digest)).toEqual({ found: false });
        expect(await fx.blobs.open(digest)).toEqual({ found: false });
        expect(await fx.blobs.open(digest, { start: 0, end: 9 })).toEqual({ found: false });

        await expect(fx.blobs.put(digest, bodyOf(bytes), ACCEPT)).resolves.toEqual({ size: 2000 });
        const opened = await fx.blobs.open(digest);
        if (!opened.found) throw new Error('blob not found');
        expect((await readAll(opened.body)).equals(bytes)).toBe(true);
      });

      it('is idempotent, and a no-op for a digest with no bytes', async () => {
        await expect(fx.blobs.quarantine(digest)).resolves.toBeUndefined();
        await fx.blobs.put(digest, bodyOf(bytes), ACCEPT);
        await fx.blobs.quarantine(digest);
        await expect(fx.blobs.quarantine(digest)).resolves.toBeUndefined();
        expect(await fx.blobs.stat(digest)).toEqual({ found: false });
      });

      it('quarantines one blob only', async () => {
        const other = bytesOf(100, 10);
        await fx.blobs.put(digest, bodyOf(bytes), ACCEPT);
        await fx.blobs.put(digestOf(other), bodyOf(other), ACCEPT);
        await fx.blobs.quarantine(digest);
        expect(await fx.blobs.stat(digestOf(other))).toEqual({ found: true, size: 100 });
      });
    });

    describe('delete', () => {
      it('removes a blob and is idempotent', async () => {
        const bytes = bytesOf(10);
        const digest = digestOf(bytes);
        await fx.blobs.put(digest, bodyOf(bytes), ACCEPT);
        await fx.blobs.delete(digest);
        expect(await fx.blobs.stat(digest)).toEqual({ found: false });
        await expect(fx.blobs.delete(digest)).resolves.toBeUndefined();
      });
    });
  });
}
