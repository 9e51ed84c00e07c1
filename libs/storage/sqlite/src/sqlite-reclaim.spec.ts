import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describeBlobReclaimStoreContract } from '@cargohold/storage-testing';
import { openSqliteMetadata } from './index';

describeBlobReclaimStoreContract('sqlite', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'cargohold-sqlite-'));
  const metadata = openSqliteMetadata(join(dir, 'metadata.db'));
  return {
    ...metadata,
    cleanup: async () => {
      await metadata.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
});
