import {
  describeBlobStoreContract,
  describeMetadataContract,
  describeOutboxContract,
  describeScanStoreContract,
  describeVulnerabilityStoreContract,
} from '@cargohold/storage-testing';
import { createMemoryStorage } from './index';

const make = async () => ({ ...createMemoryStorage(), cleanup: async () => undefined });

describeBlobStoreContract('memory', make);
describeMetadataContract('memory', make);
describeOutboxContract('memory', make);
describeScanStoreContract('memory', make);
describeVulnerabilityStoreContract('memory', make);
