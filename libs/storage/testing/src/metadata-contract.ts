import { describeBlobLinkStoreSpec } from './link-contract';
import { describeManifestStoreSpec } from './manifest-contract';
import type { MakeMetadata, MetadataFixture } from './metadata-fixture';
import { describeRegistrySettingsStoreSpec } from './registry-settings-contract';
import { describeRepositoryStoreSpec } from './repository-contract';
import { describeRepositorySettingsSpec } from './repository-settings-contract';
import { describeUploadSessionStoreSpec } from './session-contract';

/**
 * The contract of the metadata ports (RepositoryStore, ManifestStore, BlobLinkStore, UploadSessionStore,
 * RegistrySettingsStore) that every adapter's spec runs. `make` returns a fresh, empty store per test.
 */
export function describeMetadataContract(name: string, make: MakeMetadata): void {
  describe(`${name} (metadata contract)`, () => {
    let current: MetadataFixture | undefined;
    const fixture = (): MetadataFixture => {
      if (!current) throw new Error('metadata fixture used outside a test');
      return current;
    };
    beforeEach(async () => {
      current = await make();
    });
    afterEach(async () => {
      await current?.cleanup();
      current = undefined;
    });

    describeRepositoryStoreSpec(fixture);
    describeRepositorySettingsSpec(fixture);
    describeManifestStoreSpec(fixture);
    describeBlobLinkStoreSpec(fixture);
    describeUploadSessionStoreSpec(fixture);
    describeRegistrySettingsStoreSpec(fixture);
  });
}
