import { describeBlobStoreContract, describeMetadataContract, describeOutboxContract } from '@cargohold/storage-testing';
import { createMemoryStorage } from './index';

describeBlobStoreContract('memory', async () => ({ ...createMemoryStorage(), cleanup: async () => undefined }));
describeMetadataContract('memory', async () => ({ ...createMemoryStorage(), cleanup: async () => undefined }));
describeOutboxContract('memory', async () => ({ ...createMemoryStorage(), cleanup: async () => undefined }));
