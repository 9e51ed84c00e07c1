import { randomUUID } from 'node:crypto';
import { digestOf } from '@cargohold/oci';
import { UploadOffsetMismatchError, UploadUnknownError, type HashState } from '@cargohold/storage-ports';
import type { BlobStoreContractOptions, BlobStoreFixture, MakeBlobStore } from './blob-fixture';
import { bodyOf, bytesOf, failingBody, readAll, slowBody } from './streams';

async function listAll(ids: AsyncIterable<string>): Promise<string[]> {
  const out: string[] = [];
  for await (const id of ids) out.push(id);
  return out;
}

/** A hash state as the writer would save it; adapters keep it without looking inside. */
const stateAt = (offset: number): HashState => ({ algorithm: 'sha256', offset, state: new Uint8Array(bytesOf(108, offset + 1)) });

/**
 * BlobUploads: resumable staging areas that commit into the BlobStore. The adapter stores and hands
 * back; metering and digests are the core writer's (its spec covers them over the memory adapter).
 */
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

    describe('create and status', () => {
      it('creates an empty staging area', async () => {
        await fx.uploads.create(id);
        expect(await fx.uploads.status(id)).toEqual({ found: true, size: 0 });
      });

      it('treats creating an existing id as a no-op that keeps its data', async () => {
        await fx.uploads.create(id);
        await fx.uploads.append(id, 0, bodyOf(content.subarray(0, 10)));
        await fx.uploads.create(id);
        expect(await fx.uploads.status(id)).toEqual({ found: true, size: 10 });
      });

      it('answers found:false for an unknown id', async () => {
        expect(await fx.uploads.status(id)).toEqual({ found: false });
      });

      it.each(['../x', '', 'x/../../y', 'A'.repeat(36), `${'0'.repeat(35)}/`])('refuses the id %j before it reaches a key or path', async (hostile) => {
        await expect(fx.uploads.create(hostile)).rejects.toBeInstanceOf(UploadUnknownError);
        await expect(fx.uploads.append(hostile, 0, bodyOf(content))).rejects.toBeInstanceOf(UploadUnknownError);
        await expect(fx.uploads.commit(hostile, digest, 0)).rejects.toBeInstanceOf(UploadUnknownError);
        expect(await fx.uploads.status(hostile)).toEqual({ found: false });
        await expect(fx.uploads.abort(hostile)).resolves.toBeUndefined();
        expect(await listAll(fx.uploads.list())).toEqual([]);
      });
    });

    describe('append', () => {
      beforeEach(async () => {
        await fx.uploads.create(id);
      });

      it('appends chunks at the staged size and reports the new size', async () => {
        await expect(fx.uploads.append(id, 0, bodyOf(content.subarray(0, 1000), 64))).resolves.toEqual({ size: 1000 });
        await expect(fx.uploads.append(id, 1000, bodyOf(content.subarray(1000), 64))).resolves.toEqual({ size: 3000 });
        expect(await fx.uploads.status(id)).toEqual({ found: true, size: 3000 });
      });

      it('throws UploadOffsetMismatchError carrying the current size for a wrong offset', async () => {
        await fx.uploads.append(id, 0, bodyOf(content.subarray(0, 100)));
        const error = await fx.uploads.append(id, 50, bodyOf(content.subarray(50, 60))).catch((e: unknown) => e);
        expect(error).toBeInstanceOf(UploadOffsetMismatchError);
        expect((error as UploadOffsetMismatchError).currentSize).toBe(100);
        await expect(fx.uploads.append(id, 101, bodyOf(content.subarray(0, 1)))).rejects.toBeInstanceOf(UploadOffsetMismatchError);
        expect(await fx.uploads.status(id)).toEqual({ found: true, size: 100 });
      });

      it('throws UploadUnknownError for an unknown id', async () => {
        await expect(fx.uploads.append(randomUUID(), 0, bodyOf(content))).rejects.toBeInstanceOf(UploadUnknownError);
      });

      it('rolls back to the offset when the body fails midway, keeping the previous hash state', async () => {
        await fx.uploads.append(id, 0, bodyOf(content.subarray(0, 1000)), () => stateAt(1000));
        const broken = failingBody(content.subarray(1000), 500);
        await expect(fx.uploads.append(id, 1000, broken, () => stateAt(3000))).rejects.toThrow('client disconnected');
        expect(await fx.uploads.status(id)).toEqual({ found: true, size: 1000, hashState: stateAt(1000) });

        await fx.uploads.append(id, 1000, bodyOf(content.subarray(1000)));
        expect((await readAll(fx.uploads.read(id, 0))).equals(content)).toBe(true);
      });

      it('serializes concurrent appends to one id: one wins, the other gets an offset mismatch', async () => {
        const a = content.subarray(0, 400);
        const b = bytesOf(300, 99);
        const results = await Promise.allSettled([fx.uploads.append(id, 0, slowBody(a, 100, 5)), fx.uploads.append(id, 0, slowBody(b, 100, 5))]);
        const won = results.filter((r) => r.status === 'fulfilled');
        const lost = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
        expect(won).toHaveLength(1);
        expect(lost).toHaveLength(1);
        expect(lost[0]?.reason).toBeInstanceOf(UploadOffsetMismatchError);
        const winner = results[0]?.status === 'fulfilled' ? a : b;
        expect((lost[0]?.reason as UploadOffsetMismatchError).currentSize).toBe(winner.length);
        expect((await readAll(fx.uploads.read(id, 0))).equals(winner)).toBe(true);
      });
    });

    describe('hash state', () => {
      beforeEach(async () => {
        await fx.uploads.create(id);
      });

      it('keeps the state given with an append and answers the latest with the size', async () => {
        await fx.uploads.append(id, 0, bodyOf(content.subarray(0, 1000)), () => stateAt(1000));
        expect(await fx.uploads.status(id)).toEqual({ found: true, size: 1000, hashState: stateAt(1000) });
        await fx.uploads.append(id, 1000, bodyOf(content.subarray(1000, 2000)), () => stateAt(2000));
        expect(await fx.uploads.status(id)).toEqual({ found: true, size: 2000, hashState: stateAt(2000) });
      });

      it('asks for the state only after the body ended', async () => {
        let asked = -1;
        const body = tracked(bodyOf(content));
        await fx.uploads.append(id, 0, body.chunks, () => {
          asked = body.read();
          return stateAt(asked);
        });
        expect(asked).toBe(content.length);
      });

      it('keeps an older state when an append brings none (the gap is hashed again from the bytes)', async () => {
        await fx.uploads.append(id, 0, bodyOf(content.subarray(0, 1000)), () => stateAt(1000));
        await fx.uploads.append(id, 1000, bodyOf(content.subarray(1000)));
        expect(await fx.uploads.status(id)).toEqual({ found: true, size: 3000, hashState: stateAt(1000) });
      });
    });

    describe('read', () => {
      it('streams the staged bytes from any offset to the end', async () => {
        await fx.uploads.create(id);
        await fx.uploads.append(id, 0, bodyOf(content.subarray(0, 1000)));
        await fx.uploads.append(id, 1000, bodyOf(content.subarray(1000)));
        expect((await readAll(fx.uploads.read(id, 0))).equals(content)).toBe(true);
        expect((await readAll(fx.uploads.read(id, 1234))).equals(content.subarray(1234))).toBe(true);
      });

      it('throws UploadUnknownError for an unknown id', async () => {
        await expect(readAll(fx.uploads.read(randomUUID(), 0))).rejects.toBeInstanceOf(UploadUnknownError);
      });
    });

    describe('commit', () => {
      beforeEach(async () => {
        await fx.uploads.create(id);
      });

      it('makes the staged bytes addressable under the digest and removes the staging area', async () => {
        for (let at = 0; at < content.length; at += 1000) {
          await fx.uploads.append(id, at, bodyOf(content.subarray(at, at + 1000), 128), () => stateAt(at + 1000));
        }
        await expect(fx.uploads.commit(id, digest, 3000)).resolves.toBeUndefined();

        const opened = await fx.blobs.open(digest);
        if (!opened.found) throw new Error('blob not found');
        expect((await readAll(opened.body)).equals(content)).toBe(true);
        expect(await fx.uploads.status(id)).toEqual({ found: false });
        expect(await listAll(fx.uploads.list())).not.toContain(id);
        await expect(fx.uploads.append(id, 3000, bodyOf(content))).rejects.toBeInstanceOf(UploadUnknownError);
      });

      it('commits an empty upload', async () => {
        const empty = digestOf(new Uint8Array(0));
        await fx.uploads.commit(id, empty, 0);
        expect(await fx.blobs.stat(empty)).toEqual({ found: true, size: 0 });
      });

      it('commits under sha512 digests', async () => {
        await fx.uploads.append(id, 0, bodyOf(content));
        const sha512 = digestOf(content, 'sha512');
        await fx.uploads.commit(id, sha512, 3000);
        expect(await fx.blobs.stat(sha512)).toEqual({ found: true, size: 3000 });
      });

      it('keeps a blob that already exists and still removes the staging area', async () => {
        await fx.blobs.put(digest, bodyOf(content), () => undefined);
        await fx.uploads.append(id, 0, bodyOf(content));
        await fx.uploads.commit(id, digest, 3000);
        expect(await fx.blobs.stat(digest)).toEqual({ found: true, size: 3000 });
        expect(await fx.uploads.status(id)).toEqual({ found: false });
      });

      it('publishes the staged bytes again under a digest whose bytes were quarantined', async () => {
        await fx.blobs.put(digest, bodyOf(content), () => undefined);
        await fx.blobs.quarantine(digest);
        await fx.uploads.append(id, 0, bodyOf(content));
        await fx.uploads.commit(id, digest, 3000);
        const opened = await fx.blobs.open(digest);
        if (!opened.found) throw new Error('blob not found');
        expect((await readAll(opened.body)).equals(content)).toBe(true);
      });

      it('publishes nothing when the staged size is not the one verified', async () => {
        await fx.uploads.append(id, 0, bodyOf(content));
        await expect(fx.uploads.commit(id, digestOf(content.subarray(0, 1000)), 1000)).rejects.toBeInstanceOf(UploadOffsetMismatchError);
        expect(await fx.blobs.stat(digestOf(content.subarray(0, 1000)))).toEqual({ found: false });
        expect(await fx.uploads.status(id)).toEqual({ found: true, size: 3000 });
      });

      it('throws UploadUnknownError for an unknown id', async () => {
        await expect(fx.uploads.commit(randomUUID(), digest, 3000)).rejects.toBeInstanceOf(UploadUnknownError);
      });
    });

    describe('abort and list', () => {
      it('frees the staging area and is idempotent', async () => {
        await fx.uploads.create(id);
        await fx.uploads.append(id, 0, bodyOf(content), () => stateAt(3000));
        await fx.uploads.abort(id);
        expect(await fx.uploads.status(id)).toEqual({ found: false });
        await expect(fx.uploads.commit(id, digest, 3000)).rejects.toBeInstanceOf(UploadUnknownError);
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

    (options.restartable ? describe : describe.skip)('after a restart', () => {
      const reopen = async () => {
        if (!fx.reopen) throw new Error('a restartable fixture must provide reopen()');
        return fx.reopen();
      };

      it('answers the size and the hash state in the new instance and commits there', async () => {
        await fx.uploads.create(id);
        await fx.uploads.append(id, 0, bodyOf(content.subarray(0, 1000)), () => stateAt(1000));
        const after = await reopen();
        expect(await after.uploads.status(id)).toEqual({ found: true, size: 1000, hashState: stateAt(1000) });
        await expect(after.uploads.append(id, 500, bodyOf(content))).rejects.toBeInstanceOf(UploadOffsetMismatchError);
        await after.uploads.append(id, 1000, bodyOf(content.subarray(1000)), () => stateAt(3000));
        expect(await fx.uploads.status(id)).toEqual({ found: true, size: 3000, hashState: stateAt(3000) });
        await after.uploads.commit(id, digest, 3000);
        expect(await fx.blobs.stat(digest)).toEqual({ found: true, size: 3000 });
      });
    });
  });
}

/** Wraps a body and reports how many bytes were read from it so far. */
function tracked(body: AsyncIterable<Uint8Array>): { chunks: AsyncIterable<Uint8Array>; read(): number } {
  let read = 0;
  return {
    chunks: (async function* () {
      for await (const chunk of body) {
        read += chunk.length;
        yield chunk;
      }
    })(),
    read: () => read,
  };
}
