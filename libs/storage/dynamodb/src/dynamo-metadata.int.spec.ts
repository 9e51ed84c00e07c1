import { ScanCommand } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { parseRegistryEvent, type RegistryEvent } from '@cargohold/events';
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
describeScanStoreContract('dynamodb (dynalite)', async () => {
  const table = await dynalite.freshTable();
  return { ...createDynamoMetadata({ client: dynalite.client, table }), recordedEvents: changeFeed(table), cleanup: () => dynalite.deleteTable(table) };
});

/**
 * What the table's stream hands the stream forwarder (libs/events-aws stream-records.ts): the `events`
 * a scan item holds that its previous image did not. dynalite has no streams, so each call compares the
 * scan items with what the previous call saw.
 */
function changeFeed(table: string): () => Promise<RegistryEvent[]> {
  const seen = new Map<string, unknown>();
  return async () => {
    const { Items = [] } = await dynalite.client.send(new ScanCommand({ TableName: table, ConsistentRead: true }));
    const events: RegistryEvent[] = [];
    for (const item of Items.map((raw) => unmarshall(raw))) {
      const key = `${String(item['PK'])} ${String(item['SK'])}`;
      if (!String(item['SK']).startsWith('SCAN#') || String(item['SK']).includes('#PART#')) continue;
      if (item['events'] !== undefined && item['events'] !== seen.get(key)) {
        events.push(...(JSON.parse(String(item['events'])) as unknown[]).map((event) => parseRegistryEvent(event)));
      }
      seen.set(key, item['events']);
    }
    return events;
  };
}
// dynalite stores an item in ~0.1-0.3 ms of this process's CPU: the 20,000-record import (80,000 item
// writes, 40,000 reads) takes 10-20 s here where DynamoDB itself takes a few seconds (batches of 25/100).
describeVulnerabilityStoreContract('dynamodb (dynalite)', fresh, { fullImportTimeoutMs: 60_000 });
