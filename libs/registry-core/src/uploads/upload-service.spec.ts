import { PassThrough } from 'node:stream';
import { createMemoryStorage } from '@cargohold/storage-memory';
import { bodyOf } from '@cargohold/storage-testing';
import { digestOf } from '@cargohold/oci';
import type { RegistryStorage } from '@cargohold/storage-ports';
import { createRegistry, type Registry } from '../registry';

const repo = { registry: '000000000000:us-east-1', name: 'team/app' };

function setup(settings: { createRepositoryOnPush?: boolean } = {}) {
  let now = new Date('2026-01-01T00:00:00Z');
  const storage: RegistryStorage = createMemoryStorage();
  const registry: Registry = createRegistry({
    storage,
    settings,
    limits: { uploadIdleTimeoutMs: 60_000, maxBlobBytes: 1024 },
    clock: { now: () => now },
  });
  return { storage, registry, advance: (ms: number) => (now = new Date(now.getTime() + ms)) };
}

describe('UploadService', () => {
  describe('start', () => {
    it('creates the repository on first push when create-on-push is on', async () => {
      const { registry, storage } = setup();
      const upload = await registry.uploads.start(repo);
      expect(upload.size).toBe(0);
      expect(await storage.repositories.get(repo)).toBeDefined();
    });

    it('answers NAME_UNKNOWN for a missing repository when create-on-push is off', async () => {
      const { registry } = setup({ createRepositoryOnPush: false });
      await expect(registry.uploads.start(repo)).rejects.toMatchObject({ code: 'NAME_UNKNOWN' });
    });
  });

  describe('append and complete', () => {
    it('commits chunks into a blob linked to the repository only', async () => {
      const { registry } = setup();
      const bytes = Buffer.from('abcdefghij');
      const { id } = await registry.uploads.start(repo);
      await registry.uploads.append(repo, id, bodyOf(bytes.subarray(0, 4)), { range: { start: 0, end: 3 }, length: 4 });
      const done = await registry.uploads.complete(repo, id, digestOf(bytes), bodyOf(bytes.subarray(4)), {});
      expect(done).toEqual({ digest: digestOf(bytes), size: 10 });
      await expect(registry.blobs.stat(repo, digestOf(bytes))).resolves.toMatchObject({ size: 10 });
      await registry.uploads.start({ ...repo, name: 'other/app' });
      await expect(registry.blobs.stat({ ...repo, name: 'other/app' }, digestOf(bytes))).rejects.toMatchObject({ code: 'BLOB_UNKNOWN' });
    });

    it('rejects a Content-Range whose length disagrees with Content-Length', async () => {
      const { registry } = setup();
      const { id } = await registry.uploads.start(repo);
      await expect(registry.uploads.append(repo, id, bodyOf(Buffer.from('abcd')), { range: { start: 0, end: 3 }, length: 5 })).rejects.toMatchObject({
        code: 'BLOB_UPLOAD_INVALID',
        status: 416,
      });
    });

    it('refuses blobs over the size cap', async () => {
      const { registry } = setup();
      const { id } = await registry.uploads.start(repo);
      await expect(registry.uploads.append(repo, id, bodyOf(Buffer.alloc(2048)), {})).rejects.toMatchObject({ status: 413 });
    });

    it('saves the hash state of a streamed PATCH, so a PUT in another process hashes no byte again', async () => {
      const { registry, storage } = setup();
      const elsewhere = createRegistry({
        storage,
        limits: { uploadIdleTimeoutMs: 60_000, maxBlobBytes: 1024 },
        clock: { now: () => new Date('2026-01-01T00:00:00Z') },
      });
      const bytes = Buffer.from('the whole layer in one streamed PATCH, as docker sends it');
      const { id } = await registry.uploads.start(repo);
      await registry.uploads.append(repo, id, bodyOf(bytes), {});

      await expect(elsewhere.uploads.complete(repo, id, digestOf(bytes), undefined, {})).resolves.toEqual({ digest: digestOf(bytes), size: bytes.length });
      expect(elsewhere.uploads.hashedBytes).toBe(0);
    });

    it('keeps the hash of a streamed PATCH in memory when every request reaches one process', async () => {
      const storage = createMemoryStorage();
      const registry = createRegistry({ storage, uploadsInOneProcess: true, limits: { uploadIdleTimeoutMs: 60_000, maxBlobBytes: 1024 } });
      const bytes = Buffer.from('the whole layer in one streamed PATCH, as skopeo sends it');
      const { id } = await registry.uploads.start(repo);
      await registry.uploads.append(repo, id, bodyOf(bytes), {});

      expect(await storage.uploads.status(id)).toEqual({ found: true, size: bytes.length });
      await expect(registry.uploads.complete(repo, id, digestOf(bytes), undefined, {})).resolves.toEqual({ digest: digestOf(bytes), size: bytes.length });
      expect(registry.uploads.hashedBytes).toBe(bytes.length);
    });

    it('keeps the session on a digest mismatch so the client can retry', async () => {
      const { registry } = setup();
      const { id } = await registry.uploads.start(repo);
      await registry.uploads.append(repo, id, bodyOf(Buffer.from('data')), {});
      await expect(registry.uploads.complete(repo, id, digestOf(Buffer.from('other')), undefined, {})).rejects.toMatchObject({
        code: 'DIGEST_INVALID',
      });
      await expect(registry.uploads.status(repo, id)).resolves.toEqual({ id, size: 4 });
    });
  });

  describe('session scoping', () => {
    it('treats an upload id used under another repository, or malformed, as unknown', async () => {
      const { registry } = setup();
      const { id } = await registry.uploads.start(repo);
      await expect(registry.uploads.status({ ...repo, name: 'thief/app' }, id)).rejects.toMatchObject({ code: 'BLOB_UPLOAD_UNKNOWN' });
      await expect(registry.uploads.status(repo, '../../etc/passwd')).rejects.toMatchObject({ code: 'BLOB_UPLOAD_UNKNOWN' });
    });
  });

  describe('expiry', () => {
    it('expires idle sessions on access and purges them in the background', async () => {
      const { registry, advance, storage } = setup();
      const idle = await registry.uploads.start(repo);
      const active = await registry.uploads.start(repo);
      advance(40_000);
      await registry.uploads.append(repo, active.id, bodyOf(Buffer.from('x')), {});
      advance(30_000);
      expect(await registry.uploads.purgeIdle()).toBe(1);
      expect((await storage.uploads.status(idle.id)).found).toBe(false);
      await expect(registry.uploads.status(repo, active.id)).resolves.toEqual({ id: active.id, size: 1 });
      advance(61_000);
      await expect(registry.uploads.status(repo, active.id)).rejects.toMatchObject({ code: 'BLOB_UPLOAD_UNKNOWN' });
    });

    it('keeps a session fresh while a slow chunk streams in, so a purge elsewhere never takes it for idle', async () => {
      jest.useFakeTimers({ doNotFake: ['nextTick', 'setImmediate', 'queueMicrotask'] });
      try {
        const { registry, storage, advance } = setup();
        const { id } = await registry.uploads.start(repo);
        const body = new PassThrough();
        const appending = registry.uploads.append(repo, id, body, {});
        body.write(Buffer.from('ab'));
        for (let i = 0; i < 10; i++) await new Promise((resolve) => setImmediate(resolve)); // the chunk is streaming now

        const later = advance(59_000);
        await jest.advanceTimersByTimeAsync(6_000);

        expect((await storage.sessions.get(id))?.updatedAt).toEqual(later);
        expect(await storage.sessions.listIdle(new Date(later.getTime() - 1), 10)).toEqual([]);
        body.end(Buffer.from('cd'));
        await expect(appending).resolves.toMatchObject({ size: 4 });
      } finally {
        jest.useRealTimers();
      }
    });

    it('frees staging areas that lost their session', async () => {
      const { registry, storage } = setup();
      await storage.uploads.create('00000000-0000-4000-8000-000000000000');
      expect(await registry.uploads.purgeOrphans()).toBe(1);
    });
  });

  describe('mount', () => {
    it('links from a readable source and falls back to an upload when the source is not readable', async () => {
      const { registry } = setup();
      const source = { ...repo, name: 'base/image' };
      const bytes = Buffer.from('layer');
      await registry.uploads.putMonolithic(source, digestOf(bytes), bodyOf(bytes));
      await registry.registryAdmin.putAccountSetting(repo.registry, 'BLOB_MOUNTING', 'ENABLED');
      const allowed = await registry.uploads.mount(repo, digestOf(bytes), 'base/image', async () => true);
      expect(allowed).toMatchObject({ mounted: true, size: 5 });
      const denied = await registry.uploads.mount({ ...repo, name: 'x/y' }, digestOf(bytes), 'base/image', async () => false);
      expect(denied.mounted).toBe(false);
    });

    it('uploads instead of mounting while BLOB_MOUNTING is at its default (DISABLED)', async () => {
      const { registry } = setup();
      const bytes = Buffer.from('layer');
      await registry.uploads.putMonolithic({ ...repo, name: 'base/image' }, digestOf(bytes), bodyOf(bytes));

      const result = await registry.uploads.mount(repo, digestOf(bytes), 'base/image', async () => true);

      expect(result.mounted).toBe(false);
    });

    const AES256 = { encryptionType: 'AES256' as const };
    const KMS = { encryptionType: 'KMS' as const };
    it.each([
      ['AES256 to KMS', AES256, KMS],
      ['one KMS key to another', KMS, { ...KMS, kmsKey: 'arn:aws:kms:us-east-1:111122223333:key/other' }],
    ])('uploads instead of mounting between repositories with different encryption (%s)', async (_case, from, to) => {
      const { registry } = setup();
      const bytes = Buffer.from('layer');
      const source = { ...repo, name: 'base/image' };
      await registry.repositoryAdmin.create(source, { encryption: from });
      await registry.repositoryAdmin.create(repo, { encryption: to });
      await registry.uploads.putMonolithic(source, digestOf(bytes), bodyOf(bytes));
      await registry.registryAdmin.putAccountSetting(repo.registry, 'BLOB_MOUNTING', 'ENABLED');

      const result = await registry.uploads.mount(repo, digestOf(bytes), 'base/image', async () => true);

      expect(result.mounted).toBe(false);
    });

    it('mounts between KMS repositories that both use the AWS-managed key, named or not', async () => {
      const { registry } = setup();
      const bytes = Buffer.from('layer');
      const source = { ...repo, name: 'base/image' };
      const managed = `arn:aws:kms:${repo.registry.split(':')[1]}:${repo.registry.split(':')[0]}:alias/aws/ecr`;
      await registry.repositoryAdmin.create(source, { encryption: { encryptionType: 'KMS' } });
      await registry.repositoryAdmin.create(repo, { encryption: { encryptionType: 'KMS', kmsKey: managed } });
      await registry.uploads.putMonolithic(source, digestOf(bytes), bodyOf(bytes));
      await registry.registryAdmin.putAccountSetting(repo.registry, 'BLOB_MOUNTING', 'ENABLED');

      const result = await registry.uploads.mount(repo, digestOf(bytes), 'base/image', async () => true);

      expect(result.mounted).toBe(true);
    });
  });

  describe('purgeStranded', () => {
    it('removes sessions whose staged bytes are gone, and only those, page after page', async () => {
      const { registry, storage } = setup();
      const ids: string[] = [];
      for (let n = 0; n < 230; n++) ids.push((await registry.uploads.start(repo)).id);
      // A commit killed between publishing the blob and ending the session: the bytes left the staging area.
      const stranded = ids.filter((_id, n) => n % 3 === 0);
      for (const id of stranded) await storage.uploads.abort(id);

      expect(await registry.uploads.purgeStranded()).toBe(stranded.length);

      for (const id of ids) expect(await storage.sessions.get(id)).toEqual(stranded.includes(id) ? undefined : expect.objectContaining({ id }));
      expect(await registry.uploads.purgeStranded()).toBe(0);
    });
  });
});
