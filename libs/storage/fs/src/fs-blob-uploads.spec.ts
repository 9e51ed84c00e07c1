import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { digestOf } from '@cargohold/oci';
import { UploadUnknownError } from '@cargohold/storage-ports';
import { bodyOf, bytesOf } from '@cargohold/storage-testing';
import { createFsBlobStorage } from './index';

const state = (offset: number) => ({ algorithm: 'sha256' as const, offset, state: new Uint8Array(bytesOf(8, offset)) });

describe('FsBlobUploads', () => {
  let root: string;
  beforeEach(async () => {
    root = await mkdtemp(join(tmpdir(), 'cargohold-fs-'));
  });
  afterEach(async () => {
    await rm(root, { recursive: true, force: true });
  });

  describe('upload ids', () => {
    const hostile = ['../x', '../../etc/passwd', '..', '', 'x/../../y', '0'.repeat(35) + '/', 'A'.repeat(36)];

    it.each(hostile)('refuses %j before touching any path', async (id) => {
      await mkdir(join(root, 'x'));
      await writeFile(join(root, 'x', 'data'), 'keep me');
      const { uploads } = createFsBlobStorage(join(root, 'store'));

      await expect(uploads.create(id)).rejects.toBeInstanceOf(UploadUnknownError);
      await expect(uploads.append(id, 0, bodyOf(bytesOf(3)))).rejects.toBeInstanceOf(UploadUnknownError);
      await expect(uploads.commit(id, digestOf(bytesOf(3)), 3)).rejects.toBeInstanceOf(UploadUnknownError);
      expect(await uploads.status(id)).toEqual({ found: false });
      await uploads.abort(id);

      expect(existsSync(join(root, 'x', 'data'))).toBe(true);
      expect(await readdir(join(root, 'store', 'uploads'))).toEqual([]);
    });
  });

  describe('a failing append', () => {
    it('is not seen half-written: a status waits until its partial bytes are rolled back', async () => {
      const { uploads } = createFsBlobStorage(root);
      const id = randomUUID();
      await uploads.create(id);
      let fail: (error: Error) => void = () => undefined;
      const failed = new Promise<never>((_, reject) => (fail = reject));
      async function* stalls() {
        yield new Uint8Array(bytesOf(10)); // as a client whose connection then goes silent and is dropped
        await failed;
      }
      const appending = uploads.append(id, 0, stalls());
      const data = join(root, 'uploads', `${id}.data`);
      while ((await stat(data)).size < 10) await new Promise((resolve) => setTimeout(resolve, 5));

      const status = uploads.status(id);
      fail(new Error('connection dropped'));

      await expect(appending).rejects.toThrow('connection dropped');
      expect(await status).toEqual({ found: true, size: 0 });
    });
  });

  describe('staging layout', () => {
    it('stages bytes in uploads/<id>.data, the latest hash state beside them, and moves the bytes to blobs/<alg>/<xx>/<hex> on commit', async () => {
      const { uploads } = createFsBlobStorage(root);
      const id = randomUUID();
      const bytes = bytesOf(100);
      const hex = digestOf(bytes).slice('sha256:'.length);
      await uploads.create(id);
      await uploads.append(id, 0, bodyOf(bytes.subarray(0, 40)), () => state(40));
      await uploads.append(id, 40, bodyOf(bytes.subarray(40)), () => state(100));
      expect((await stat(join(root, 'uploads', `${id}.data`))).isFile()).toBe(true);
      expect(await readdir(join(root, 'uploads', `${id}.hashstates`, 'sha256'))).toEqual(['100']);

      await uploads.commit(id, digestOf(bytes), 100);
      expect(existsSync(join(root, 'blobs', 'sha256', hex.slice(0, 2), hex))).toBe(true);
      expect(await readdir(join(root, 'uploads'))).toEqual([]);
    });

    it.each([{ soleWriter: false }, { soleWriter: true }])(
      'carries on an upload an earlier version staged in uploads/<id>/data, its hash state in uploads/<id>/hashstates (%j)',
      async (options) => {
        const bytes = bytesOf(100);
        const hex = digestOf(bytes).slice('sha256:'.length);
        const [committed, aborted] = [randomUUID(), randomUUID()];
        for (const id of [committed, aborted]) {
          await mkdir(join(root, 'uploads', id, 'hashstates', 'sha256'), { recursive: true });
          await writeFile(join(root, 'uploads', id, 'data'), bytes.subarray(0, 40));
          await writeFile(join(root, 'uploads', id, 'hashstates', 'sha256', '40'), state(40).state);
        }
        const { uploads } = createFsBlobStorage(root, options);

        const listed: string[] = [];
        for await (const each of uploads.list()) listed.push(each);
        expect(listed.sort()).toEqual([committed, aborted].sort());
        expect(await uploads.status(committed)).toEqual({ found: true, size: 40, hashState: state(40) });
        const caughtUp: Buffer[] = [];
        for await (const chunk of uploads.read(committed, 10)) caughtUp.push(Buffer.from(chunk));
        expect(Buffer.concat(caughtUp).equals(Buffer.from(bytes.subarray(10, 40)))).toBe(true);
        await uploads.append(committed, 40, bodyOf(bytes.subarray(40)), () => state(100));
        expect(await readdir(join(root, 'uploads', committed, 'hashstates', 'sha256'))).toEqual(['100']);
        expect(await uploads.status(committed)).toEqual({ found: true, size: 100, hashState: state(100) });
        await uploads.commit(committed, digestOf(bytes), 100);
        await uploads.abort(aborted);

        expect(existsSync(join(root, 'blobs', 'sha256', hex.slice(0, 2), hex))).toBe(true);
        expect(await readdir(join(root, 'uploads'))).toEqual([]);
      },
    );

    it('lists an upload of which only hash states are left, so that its purge removes them', async () => {
      const id = randomUUID();
      await mkdir(join(root, 'uploads', `${id}.hashstates`, 'sha256'), { recursive: true });
      const { uploads } = createFsBlobStorage(root);

      const listed: string[] = [];
      for await (const each of uploads.list()) listed.push(each);
      expect(listed).toEqual([id]);
      expect(await uploads.status(id)).toEqual({ found: false });
      await uploads.abort(id);
      expect(await readdir(join(root, 'uploads'))).toEqual([]);
    });

    it('keeps the staged upload of a killed process out of blobs/, listable and purgeable', async () => {
      const first = createFsBlobStorage(root);
      const id = randomUUID();
      await first.uploads.create(id);
      await first.uploads.append(id, 0, bodyOf(bytesOf(100)));

      const restarted = createFsBlobStorage(root);
      expect(await restarted.blobs.stat(digestOf(bytesOf(100)))).toEqual({ found: false });
      const ids: string[] = [];
      for await (const each of restarted.uploads.list()) ids.push(each);
      expect(ids).toEqual([id]);
      await restarted.uploads.abort(id);
      expect(await readdir(join(root, 'uploads'))).toEqual([]);
    });
  });

  describe('a sole writer', () => {
    it('finds an upload another process expired (cargohold gc) unknown, though it remembers its size', async () => {
      const { uploads } = createFsBlobStorage(root, { soleWriter: true });
      const gc = createFsBlobStorage(root);
      const [appended, committed] = [randomUUID(), randomUUID()];
      for (const id of [appended, committed]) {
        await uploads.create(id);
        await uploads.append(id, 0, bodyOf(bytesOf(10)));
        await gc.uploads.abort(id);
      }

      await expect(uploads.append(appended, 10, bodyOf(bytesOf(10)))).rejects.toBeInstanceOf(UploadUnknownError);
      await expect(uploads.commit(committed, digestOf(bytesOf(10)), 10)).rejects.toBeInstanceOf(UploadUnknownError);
      expect(await uploads.status(appended)).toEqual({ found: false });
      expect(await uploads.status(committed)).toEqual({ found: false });
    });
  });
});
