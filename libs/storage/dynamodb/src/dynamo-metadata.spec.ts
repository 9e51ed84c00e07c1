import { describeMetadataContract, describeScanStoreContract, describeVulnerabilityStoreContract } from '@cargohold/storage-testing';
import { createDynamoMetadata } from './index';
import { startDynalite, type Dynalite } from './testing';

let dynalite: Dynalite;
beforeAll(async () => {
  dynalite = await startDynalite();
});
afterAll(() => dynalite.stop());

async function fresh() {
  const table = await dynalite.freshTable();
  return { ...createDynamoMetadata({ client: dynalite.client, table }), cleanup: () => dynalite.deleteTable(table) };
}

describeMetadataContract('dynamodb (dynalite)', fresh);
describeScanStoreContract('dynamodb (dynalite)', fresh);
// dynalite stores an item in ~0.1-0.3 ms of this process's CPU: the 20,000-record import (80,000 item
// writes, 40,000 reads) takes 10-20 s here where DynamoDB itself takes a few seconds (batches of 25/100).
describeVulnerabilityStoreContract('dynamodb (dynalite)', fresh, { fullImportTimeoutMs: 60_000 });
