import { randomUUID } from 'node:crypto';
import { digestOf } from '@cargohold/oci';
import {
  DigestMismatchError,
  SizeLimitError,
  SizeMismatchError,
  UploadOffsetMismatchError,
  UploadUnknownError,
} from '@cargohold/storage-ports';
import type { BlobStoreContractOptions, BlobStoreFixture, MakeBlobStore } from './blob-fixture';
import { bodyOf, bytesOf, failingBody, readAll, slowBody } from './streams';

const LIMIT = { maxBytes: 16 * 1024 * 1024 };

async function listAll(ids: AsyncIterable<string>): Promise<string[]> {
  const out: string[] = [];
  for await (const id of ids) out.push(id);
  return out;
}

/** BlobUploads: resumable staging areas that commit into the BlobStore. */
export function describeBlobUploadsSpec(make: MakeBlobStore, options: BlobStoreContractOptions): void {
  describe('BlobUploads', () => {
    let fx: BlobStoreFixture;
    let id: string;
    const content = bytesOf(3000, 11);
    const digest = digestOf(content);
    beforeEach(async () => {
      fx = await make();
      id = randomUUID();
    });
    afterEach(async () => {
      await fx.cleanup();
    });

    describe('create and size', () => {
      it('creates an empty staging area', async () => {
        await fx.uploads.create(id);
        expect(await fx.uploads.size(id)).toEqual({ found: true, size: 0 });
      });

      it('treats creating an existing id as a no-op that keeps its data', async () => {
        await fx.uploads.create(id);
        await fx.uploads.append(id, 0, bodyOf(content.subarray(0, 10)), LIMIT);
        await fx.uploads.create(id);
        expect(await fx.uploads.size(id)).toEqual({ found: true, size: 10 });
      });

      it('answers found:false for an unknown id', async () => {
        expect(await fx.uploads.size(id)).toEqual({ found: false });
      });
    });

    describe('append', () => {
      beforeEach(async () => {
        await fx.uploads.create(id);
      });

      it('appends chunks at the staged size and reports the new size', async () => {
        await expect(fx.uploads.append(id, 0, bodyOf(content.subarray(0, 1000), 64), LIMIT)).resolves.toEqual({ size: 1000 });
        await expect(fx.uploads.append(id, 1000, bodyOf(content.subarray(1000), 64), LIMIT)).resolves.toEqual({ size: 3000 });
        expect(await fx.uploads.size(id)).toEqual({ found: true, size: 3000 });
      });

      it('throws UploadOffsetMismatchError carrying the current size for a wrong offset', async () => {
        await fx.uploads.append(id, 0, bodyOf(content.subarray(0, 100)), LIMIT);
        const error = await fx.uploads.append(id, 50, bodyOf(content.subarray(50, 60)), LIMIT).catch((e: unknown) => e);
        expect(error).toBeInstanceOf(UploadOffsetMismatchError);
        expect((error as UploadOffsetMismatchError).currentSize).toBe(100);
        await expect(fx.uploads.append(id, 101, bodyOf(content.subarray(0, 1)), LIMIT)).rejects.toBeInstanceOf(
          UploadOffsetMismatchError,
        );
        expect(await fx.uploads.size(id)).toEqual({ found: true, size: 100 });
      });

      it('throws UploadUnknownError for an unknown id', async () => {
        await expect(fx.uploads.append(randomUUID(), 0, bodyOf(content), LIMIT)).rejects.toBeInstanceOf(UploadUnknownError);
      });

      it('rolls back to the offset when the body fails midway, so the client can resume', async () => {
        await fx.uploads.append(id, 0, bodyOf(content.subarray(0, 1000)), LIMIT);
        await expect(fx.uploads.append(id, 1000, failingBody(content.subarray(1000), 500), LIMIT)).rejects.toThrow(
          'client disconnected',
        );
        expect(await fx.uploads.size(id)).toEqual({ found: true, size: 1000 });

        await fx.uploads.append(id, 1000, bodyOf(content.subarray(1000)), LIMIT);
        await expect(fx.uploads.commit(id, digest)).resolves.toEqual({ size: 3000 });
      });

      it('throws SizeLimitError when the staged total would pass maxBytes, and rolls back', async () => {
        await fx.uploads.append(id, 0, bodyOf(content.subarray(0, 100)), { maxBytes: 150 });
        await expect(fx.uploads.append(id, 100, bodyOf(content.subarray(100, 151), 10), { maxBytes: 150 })).rejects.toBeInstanceOf(
          SizeLimitError,
        );
        expect(await fx.uploads.size(id)).toEqual({ found: true, size: 100 });
        await expect(fx.uploads.append(id, 100, bodyOf(content.subarray(100, 150)), { maxBytes: 150 })).resolves.toEqual({
          size: 150,
        });
      });

      it('throws SizeMismatchError for a chunk shorter or longer than declared, and rolls back', async () => {
        await expect(fx.uploads.append(id, 0, bodyOf(content.subarray(0, 99)), { ...LIMIT, expectedSize: 100 })).rejects.toBeInstanceOf(
          SizeMismatchError,
        );
        await expect(
          fx.uploads.append(id, 0, bodyOf(content.subarray(0, 101), 10), { ...LIMIT, expectedSize: 100 }),
        ).rejects.toBeInstanceOf(SizeMismatchError);
        expect(await fx.uploads.size(id)).toEqual({ found: true, size: 0 });
        await expect(fx.uploads.append(id, 0, bodyOf(content.subarray(0, 100)), { ...LIMIT, expectedSize: 100 })).resolves.toEqual({
          size: 100,
        });
      });

      it('serializes concurrent appends to one id: one wins, the other gets an offset mismatch', async () => {
        const a = content.subarray(0, 400);
        const b = bytesOf(300, 99);
        const results = await Promise.allSettled([
          fx.uploads.append(id, 0, slowBody(a, 100, 5), LIMIT),
          fx.uploads.append(id, 0, slowBody(b, 100, 5), LIMIT),
        ]);
        const won = results.filter((r) => r.status === 'fulfilled');
        const lost = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
        expect(won).toHaveLength(1);
        expect(lost).toHaveLength(1);
        expect(lost[0]?.reason).toBeInstanceOf(UploadOffsetMismatchError);
        const winner = results[0]?.status === 'fulfilled' ? a : b;
        expect((lost[0]?.reason as UploadOffsetMismatchError).currentSize).toBe(winner.length);
        await expect(fx.uploads.commit(id, digestOf(winner))).resolves.toEqual({ size: winner.length });
      });
    });

    describe('commit', () => {
      beforeEach(async () => {
        await fx.uploads.create(id);
      });

      it('makes the staged bytes addressable under the digest and removes the staging area', async () => {
        for (let at = 0; at < content.length; at += 1000) {
          await fx.uploads.append(id, at, bodyOf(content.subarray(at, at + 1000), 128), LIMIT);
        }
        await expect(fx.uploads.commit(id, digest)).resolves.toEqual({ size: 3000 });

        const opened = await fx.blobs.open(digest);
        if (!opened.found) throw new Error('blob not found');
        expect((await readAll(opened.body)).equals(content)).toBe(true);
        expect(await fx.uploads.size(id)).toEqual({ found: false });
        expect(await listAll(fx.uploads.list())).not.toContain(id);
        await expect(fx.uploads.append(id, 3000, bodyOf(content), LIMIT)).rejects.toBeInstanceOf(UploadUnknownError);
      });

      it('commits an empty upload', async () => {
        const empty = digestOf(new Uint8Array(0));
        await expect(fx.uploads.commit(id, empty)).resolves.toEqual({ size: 0 });
        expect(await fx.blobs.stat(empty)).toEqual({ found: true, size: 0 });
      });

      it('commits sha512 digests', async () => {
        await fx.uploads.append(id, 0, bodyOf(content), LIMIT);
        const sha512 = digestOf(content, 'sha512');
        await expect(fx.uploads.commit(id, sha512)).resolves.toEqual({ size: 3000 });
        expect(await fx.blobs.stat(sha512)).toEqual({ found: true, size: 3000 });
      });

      it('commits a blob that already exists and still removes the staging area', async () => {
        await fx.blobs.put(digest, bodyOf(content), LIMIT);
        await fx.uploads.append(id, 0, bodyOf(content), LIMIT);
        await expect(fx.uploads.commit(id, digest)).resolves.toEqual({ size: 3000 });
        expect(await fx.uploads.size(id)).toEqual({ found: false });
      });

      it('keeps the staging area on a digest mismatch and makes nothing addressable', async () => {
        await fx.uploads.append(id, 0, bodyOf(content), LIMIT);
        const wrong = digestOf(bytesOf(3000, 12));
        await expect(fx.uploads.commit(id, wrong)).rejects.toBeInstanceOf(DigestMismatchError);
        expect(await fx.blobs.stat(wrong)).toEqual({ found: false });
        expect(await fx.blobs.stat(digest)).toEqual({ found: false });
        expect(await fx.uploads.size(id)).toEqual({ found: true, size: 3000 });

        await expect(fx.uploads.commit(id, digest)).resolves.toEqual({ size: 3000 });
      });

      it('hashes appends made after a failed commit', async () => {
        await fx.uploads.append(id, 0, bodyOf(content.subarray(0, 1000)), LIMIT);
        await expect(fx.uploads.commit(id, digest)).rejects.toBeInstanceOf(DigestMismatchError);
        await fx.uploads.append(id, 1000, bodyOf(content.subarray(1000)), LIMIT);
        await expect(fx.uploads.commit(id, digest)).resolves.toEqual({ size: 3000 });
      });

      it('throws UploadUnknownError for an unknown id', async () => {
        await expect(fx.uploads.commit(randomUUID(), digest)).rejects.toBeInstanceOf(UploadUnknownError);
      });
    });

    describe('abort and list', () => {
      it('frees the staging area and is idempotent', async () => {
        await fx.uploads.create(id);
        await fx.uploads.append(id, 0, bodyOf(content), LIMIT);
        await fx.uploads.abort(id);
        expect(await fx.uploads.size(id)).toEqual({ found: false });
        await expect(fx.uploads.commit(id, digest)).rejects.toBeInstanceOf(UploadUnknownError);
        await expect(fx.uploads.abort(id)).resolves.toBeUndefined();
        await expect(fx.uploads.abort(randomUUID())).resolves.toBeUndefined();
      });

      it('lists every staging id', async () => {
        const ids = [randomUUID(), randomUUID(), randomUUID()];
        for (const each of ids) await fx.uploads.create(each);
        await fx.uploads.abort(ids[1] as string);
        expect((await listAll(fx.uploads.list())).sort()).toEqual([ids[0], ids[2]].sort());
      });
    });

    (options.restartable ? describe : describe.skip)('after a restart (no running hash)', () => {
      const reopen = async () => {
        if (!fx.reopen) throw new Error('a restartable fixture must provide reopen()');
        return fx.reopen();
      };

      it('commits by rehashing the staged bytes', async () => {
        await fx.uploads.create(id);
        await fx.uploads.append(id, 0, bodyOf(content.subarray(0, 1000)), LIMIT);
        await fx.uploads.append(id, 1000, bodyOf(content.subarray(1000)), LIMIT);
        const after = await reopen();
        expect(await after.uploads.size(id)).toEqual({ found: true, size: 3000 });
        await expect(after.uploads.commit(id, digest)).resolves.toEqual({ size: 3000 });
        expect(await after.blobs.stat(digest)).toEqual({ found: true, size: 3000 });
      });

      it('resumes an upload in the new instance and commits it', async () => {
        await fx.uploads.create(id);
        await fx.uploads.append(id, 0, bodyOf(content.subarray(0, 1000)), LIMIT);
        const after = await reopen();
        await expect(after.uploads.append(id, 500, bodyOf(content), LIMIT)).rejects.toBeInstanceOf(UploadOffsetMismatchError);
        await after.uploads.append(id, 1000, bodyOf(content.subarray(1000)), LIMIT);
        await expect(after.uploads.commit(id, digest)).resolves.toEqual({ size: 3000 });
      });

      it('notices staged data changed by another instance', async () => {
        await fx.uploads.create(id);
        await fx.uploads.append(id, 0, bodyOf(content.subarray(0, 1000)), LIMIT);
        const other = await reopen();
        await other.uploads.append(id, 1000, bodyOf(content.subarray(1000)), LIMIT);
        await expect(fx.uploads.commit(id, digest)).resolves.toEqual({ size: 3000 });
      });
    });
  });
}
