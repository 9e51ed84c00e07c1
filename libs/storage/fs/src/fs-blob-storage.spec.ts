import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describeBlobStoreContract } from '@cargohold/storage-testing';
import { createFsBlobStorage, type FsBlobUploadsOptions } from './index';

/** Instances over one fresh root, each closed at cleanup. */
async function storageRoot(options: Omit<FsBlobUploadsOptions, 'syncs'> = {}) {
  const root = await mkdtemp(join(tmpdir(), 'cargohold-fs-'));
  const opened: ReturnType<typeof createFsBlobStorage>[] = [];
  const open = () => {
    const storage = createFsBlobStorage(root, options);
    opened.push(storage);
    return storage;
  };
  const cleanup = async () => {
    await Promise.all(opened.map((storage) => storage.close()));
    await rm(root, { recursive: true, force: true });
  };
  return { open, cleanup };
}

describeBlobStoreContract(
  'fs',
  async () => {
    const { open, cleanup } = await storageRoot();
    const { blobs, uploads } = open();
    return { blobs, uploads, reopen: async () => open(), cleanup };
  },
  { restartable: true },
);

// A sole writer's restart is a new process with the old one gone: the fixture's uploads are the latest
// instance's (an older instance still in use would be a second writer, which this mode rules out).
describeBlobStoreContract(
  'fs, sole writer of its uploads',
  async () => {
    const { open, cleanup } = await storageRoot({ soleWriter: true });
    let latest = open();
    return {
      blobs: latest.blobs,
      get uploads() {
        return latest.uploads;
      },
      reopen: async () => (latest = open()),
      cleanup,
    };
  },
  { restartable: true },
);
