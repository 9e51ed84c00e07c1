import type { BlobStoreContractOptions, MakeBlobStore } from './blob-fixture';
import { describeBlobStoreSpec } from './blob-store-contract';
import { describeBlobUploadsSpec } from './blob-uploads-contract';

/**
 * The contract of BlobStore and BlobUploads together (commit crosses them) that every blob adapter's spec
 * runs. `make` returns a fresh, empty storage per test.
 */
export function describeBlobStoreContract(name: string, make: MakeBlobStore, options: BlobStoreContractOptions = {}): void {
  describe(`${name} (blob contract)`, () => {
    describeBlobStoreSpec(make);
    describeBlobUploadsSpec(make, options);
  });
}
