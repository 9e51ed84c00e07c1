import { describeReplicationStatusStoreContract, outboxRecordedEvents } from '@cargohold/storage-testing';
import { MemoryOutboxStore } from './memory-outbox';
import { MemoryReplicationStatusStore } from './memory-replication-status-store';
import { MemoryMetadataState } from './memory-state';

describeReplicationStatusStoreContract('memory', async () => {
  const state = new MemoryMetadataState();
  return {
    replications: new MemoryReplicationStatusStore(state.outbox),
    recordedEvents: outboxRecordedEvents(new MemoryOutboxStore(state.outbox)),
    cleanup: async () => undefined,
  };
});
