import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { digestOf } from '@cargohold/oci';
import { UploadUnknownError } from '@cargohold/storage-ports';
import { bodyOf, bytesOf, failingBody } from '@cargohold/storage-testing';
import { FsBlobUploads } from './fs-blob-uploads';
import { createFsBlobStorage } from './index';

const LIMIT = { maxBytes: 1 << 24 };

describe('FsBlobUploads', () => {
  let root: string;
  beforeEach(async () => {
    root = await mkdtemp(join(tmpdir(), 'cargohold-fs-'));
  });
  afterEach(async () => {
    jest.restoreAllMocks();
    await rm(root, { recursive: true, force: true });
  });

  describe('upload ids', () => {
    const hostile = ['../x', '../../etc/passwd', '..', '', 'x/../../y', '0'.repeat(35) + '/', 'A'.repeat(36)];

    it.each(hostile)('refuses %j before touching any path', async (id) => {
      await mkdir(join(root, 'x'));
      await writeFile(join(root, 'x', 'data'), 'keep me');
      const { uploads } = createFsBlobStorage(join(root, 'store'));

      await expect(uploads.create(id)).rejects.toBeInstanceOf(UploadUnknownError);
      await expect(uploads.append(id, 0, bodyOf(bytesOf(3)), LIMIT)).rejects.toBeInstanceOf(UploadUnknownError);
      await expect(uploads.commit(id, digestOf(bytesOf(3)))).rejects.toBeInstanceOf(UploadUnknownError);
      expect(await uploads.size(id)).toEqual({ found: false });
      await uploads.abort(id);

      expect(existsSync(join(root, 'x', 'data'))).toBe(true);
      expect(await readdir(join(root, 'store', 'uploads'))).toEqual([]);
    });
  });

  describe('staging layout', () => {
    it('stages bytes in uploads/<id>/data and moves them to blobs/<alg>/<xx>/<hex> on commit', async () => {
      const { uploads } = createFsBlobStorage(root);
      const id = randomUUID();
      const bytes = bytesOf(100);
      const hex = digestOf(bytes).slice('sha256:'.length);
      await uploads.create(id);
      await uploads.append(id, 0, bodyOf(bytes), LIMIT);
      expect(existsSync(join(root, 'uploads', id, 'data'))).toBe(true);

      await uploads.commit(id, digestOf(bytes));
      expect(existsSync(join(root, 'blobs', 'sha256', hex.slice(0, 2), hex))).toBe(true);
      expect(existsSync(join(root, 'uploads', id))).toBe(false);
    });

    it('keeps the staged upload of a killed process out of blobs/, listable and purgeable', async () => {
      const first = createFsBlobStorage(root);
      const id = randomUUID();
      await first.uploads.create(id);
      await first.uploads.append(id, 0, bodyOf(bytesOf(100)), LIMIT);

      const restarted = createFsBlobStorage(root);
      expect(await restarted.blobs.stat(digestOf(bytesOf(100)))).toEqual({ found: false });
      const ids: string[] = [];
      for await (const each of restarted.uploads.list()) ids.push(each);
      expect(ids).toEqual([id]);
      await restarted.uploads.abort(id);
      expect(await readdir(join(root, 'uploads'))).toEqual([]);
    });
  });

  describe('running hash', () => {
    const spyRehash = () => jest.spyOn(FsBlobUploads.prototype as unknown as { rehash(): Promise<unknown> }, 'rehash');

    it('commits from the running hash without re-reading the staged file', async () => {
      const rehash = spyRehash();
      const { uploads } = createFsBlobStorage(root);
      const id = randomUUID();
      const bytes = bytesOf(5000);
      await uploads.create(id);
      await uploads.append(id, 0, bodyOf(bytes.subarray(0, 2000)), LIMIT);
      await uploads.append(id, 2000, bodyOf(bytes.subarray(2000)), LIMIT);
      await uploads.commit(id, digestOf(bytes));
      expect(rehash).not.toHaveBeenCalled();
    });

    it('rehashes after a rolled-back append, for sha512, and after a restart', async () => {
      const rehash = spyRehash();
      const { uploads } = createFsBlobStorage(root);
      const bytes = bytesOf(5000);

      const rolledBack = randomUUID();
      await uploads.create(rolledBack);
      await uploads.append(rolledBack, 0, bodyOf(bytes.subarray(0, 2000)), LIMIT);
      await expect(uploads.append(rolledBack, 2000, failingBody(bytes.subarray(2000), 100), LIMIT)).rejects.toThrow();
      await uploads.append(rolledBack, 2000, bodyOf(bytes.subarray(2000)), LIMIT);
      await uploads.commit(rolledBack, digestOf(bytes));
      expect(rehash).toHaveBeenCalledTimes(1);

      const sha512 = randomUUID();
      await uploads.create(sha512);
      await uploads.append(sha512, 0, bodyOf(bytes), LIMIT);
      await uploads.commit(sha512, digestOf(bytes, 'sha512'));
      expect(rehash).toHaveBeenCalledTimes(2);

      const restarted = randomUUID();
      await uploads.create(restarted);
      await uploads.append(restarted, 0, bodyOf(bytesOf(10, 3)), LIMIT);
      await createFsBlobStorage(root).uploads.commit(restarted, digestOf(bytesOf(10, 3)));
      expect(rehash).toHaveBeenCalledTimes(3);
    });
  });
});
