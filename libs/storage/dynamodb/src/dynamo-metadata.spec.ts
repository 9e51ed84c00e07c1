import { describeMetadataContract } from '@cargohold/storage-testing';
import { createDynamoMetadata, startDynalite, type Dynalite } from './index';

let dynalite: Dynalite;
beforeAll(async () => {
  dynalite = await startDynalite();
});
afterAll(() => dynalite.stop());

describeMetadataContract('dynamodb (dynalite)', async () => {
  const table = await dynalite.freshTable();
  return { ...createDynamoMetadata({ client: dynalite.client, table }), cleanup: () => dynalite.deleteTable(table) };
});
