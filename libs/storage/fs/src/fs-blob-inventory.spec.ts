import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describeBlobInventoryContract } from '@cargohold/storage-testing';
import { createFsBlobStorage } from './index';

describeBlobInventoryContract('fs', async () => {
  const root = await mkdtemp(join(tmpdir(), 'cargohold-fs-'));
  return { blobs: createFsBlobStorage(root).blobs, cleanup: () => rm(root, { recursive: true, force: true }) };
});
