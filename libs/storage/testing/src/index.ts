export { describeBlobStoreContract } from './blob-contract';
export type { BlobPorts, BlobStoreContractOptions, BlobStoreFixture, MakeBlobStore } from './blob-fixture';
export { describeMetadataContract } from './metadata-contract';
export type { MakeMetadata, MetadataFixture } from './metadata-fixture';
export { bodyOf, bytesOf, failingBody, readAll, slowBody, tracked } from './streams';
export { describeOutboxContract } from './outbox-contract';
export { deletedEvent, eventId, pushedEvent, scanRequestedEvent, stamped } from './outbox-fixture';
export type { MakeOutbox, OutboxContractOptions, OutboxFixture } from './outbox-fixture';
