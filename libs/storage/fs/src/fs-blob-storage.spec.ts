import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describeBlobStoreContract } from '@cargohold/storage-testing';
import { createFsBlobStorage } from './index';

describeBlobStoreContract(
  'fs',
  async () => {
    const root = await mkdtemp(join(tmpdir(), 'cargohold-fs-'));
    return {
      ...createFsBlobStorage(root),
      reopen: async () => createFsBlobStorage(root),
      cleanup: () => rm(root, { recursive: true, force: true }),
    };
  },
  { restartable: true },
);

// A sole writer's restart is a new process with the old one gone: the fixture's uploads are the latest
// instance's (an older instance still in use would be a second writer, which this mode rules out).
describeBlobStoreContract(
  'fs, sole writer of its uploads',
  async () => {
    const root = await mkdtemp(join(tmpdir(), 'cargohold-fs-'));
    let current = createFsBlobStorage(root, { soleWriter: true });
    return {
      blobs: current.blobs,
      get uploads() {
        return current.uploads;
      },
      reopen: async () => (current = createFsBlobStorage(root, { soleWriter: true })),
      cleanup: () => rm(root, { recursive: true, force: true }),
    };
  },
  { restartable: true },
);
