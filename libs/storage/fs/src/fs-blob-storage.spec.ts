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
