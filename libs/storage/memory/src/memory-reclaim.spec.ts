import { describeBlobInventoryContract, describeBlobReclaimStoreContract } from '@cargohold/storage-testing';
import { createMemoryStorage } from './index';

const make = async () => ({ ...createMemoryStorage(), cleanup: async () => undefined });

describeBlobReclaimStoreContract('memory', make);
describeBlobInventoryContract('memory', make);
