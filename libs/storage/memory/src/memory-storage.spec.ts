import {
  describeBlobStoreContract,
  describeLifecycleTargetsContract,
  describeMetadataContract,
  describeOutboxContract,
  describeScanStoreContract,
  describeVulnerabilityStoreContract,
  outboxRecordedEvents,
} from '@cargohold/storage-testing';
import { createMemoryStorage } from './index';

const make = async () => ({ ...createMemoryStorage(), cleanup: async () => undefined });

describeBlobStoreContract('memory', make);
describeMetadataContract('memory', make);
describeOutboxContract('memory', make);
describeScanStoreContract('memory', async () => {
  const storage = await make();
  return { ...storage, recordedEvents: outboxRecordedEvents(storage.outbox) };
});
describeVulnerabilityStoreContract('memory', make);
describeLifecycleTargetsContract('memory', make);
