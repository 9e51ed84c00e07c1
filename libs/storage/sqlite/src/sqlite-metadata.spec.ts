import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  describeLifecycleTargetsContract,
  describeMetadataContract,
  describeOutboxContract,
  describeScanStoreContract,
  describeRepositoryCreationTemplateStoreContract,
  describeReplicationStatusStoreContract,
  describeVulnerabilityStoreContract,
  outboxRecordedEvents,
} from '@cargohold/storage-testing';
import { openSqliteMetadata, type SqliteMetadata } from './index';

/** A fresh database file in its own directory, removed with the directory on cleanup. */
async function fresh(): Promise<SqliteMetadata & { cleanup(): Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), 'cargohold-sqlite-'));
  const metadata = openSqliteMetadata(join(dir, 'metadata.db'));
  return {
    ...metadata,
    cleanup: async () => {
      await metadata.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

describeMetadataContract('sqlite', fresh);
describeScanStoreContract('sqlite', async () => {
  const metadata = await fresh();
  return { ...metadata, recordedEvents: outboxRecordedEvents(metadata.outbox) };
});
describeVulnerabilityStoreContract('sqlite', fresh);
describeLifecycleTargetsContract('sqlite', fresh);

describeOutboxContract(
  'sqlite',
  async () => {
    const dir = await mkdtemp(join(tmpdir(), 'cargohold-sqlite-'));
    const file = join(dir, 'metadata.db');
    const opened: SqliteMetadata[] = [openSqliteMetadata(file)];
    return {
      ...(opened[0] as SqliteMetadata),
      // A restart after a crash: the old connection is abandoned, not closed, and a new one opens the file.
      reopen: async () => {
        const next = openSqliteMetadata(file);
        opened.push(next);
        return next;
      },
      cleanup: async () => {
        for (const metadata of opened) await metadata.close();
        await rm(dir, { recursive: true, force: true });
      },
    };
  },
  { restartable: true },
);
describeRepositoryCreationTemplateStoreContract('sqlite', fresh);
describeReplicationStatusStoreContract('sqlite', async () => {
  const metadata = await fresh();
  return { ...metadata, recordedEvents: outboxRecordedEvents(metadata.outbox) };
});
