import { ScanCommand } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { parseRegistryEvent, type RegistryEvent } from '@cargohold/events';
import {
  describeLifecycleTargetsContract,
  describeMetadataContract,
  describeRepositoryCreationTemplateStoreContract,
  describeReplicationStatusStoreContract,
  describeScanStoreContract,
  describeVulnerabilityStoreContract,
} from '@cargohold/storage-testing';
import { createDynamoMetadata } from './index';
import { startDynamoDbLocal, type DynamoDbLocal } from './testing';

let dynamoDb: DynamoDbLocal;
beforeAll(async () => {
  dynamoDb = await startDynamoDbLocal();
});
afterAll(() => dynamoDb.stop());

async function fresh() {
  const table = await dynamoDb.freshTable();
  return { ...createDynamoMetadata({ client: dynamoDb.client, table }), cleanup: () => dynamoDb.deleteTable(table) };
}

describeMetadataContract('dynamodb (DynamoDB Local)', fresh);
describeRepositoryCreationTemplateStoreContract('dynamodb (DynamoDB Local)', fresh);
describeLifecycleTargetsContract('dynamodb (DynamoDB Local)', fresh);
describeScanStoreContract('dynamodb (DynamoDB Local)', async () => {
  const table = await dynamoDb.freshTable();
  return { ...createDynamoMetadata({ client: dynamoDb.client, table }), recordedEvents: changeFeed(table), cleanup: () => dynamoDb.deleteTable(table) };
});

describeReplicationStatusStoreContract('dynamodb (DynamoDB Local)', async () => {
  const table = await dynamoDb.freshTable();
  return { ...createDynamoMetadata({ client: dynamoDb.client, table }), recordedEvents: changeFeed(table), cleanup: () => dynamoDb.deleteTable(table) };
});

/**
 * What the table's stream hands the stream forwarder (libs/events-aws stream-records.ts): the `events`
 * a scan or replication status item holds that its previous image did not. Each call compares the scan items with what the
 * previous call saw, which is what the stream carries without waiting on its polling (the stream
 * forwarder's spec reads the real stream).
 */
function changeFeed(table: string): () => Promise<RegistryEvent[]> {
  const seen = new Map<string, unknown>();
  return async () => {
    const { Items = [] } = await dynamoDb.client.send(new ScanCommand({ TableName: table, ConsistentRead: true }));
    const events: RegistryEvent[] = [];
    for (const item of Items.map((raw) => unmarshall(raw))) {
      const key = `${String(item['PK'])} ${String(item['SK'])}`;
      const sk = String(item['SK']);
      if (!(sk.startsWith('SCAN#') || sk.startsWith('REPL#')) || sk.includes('#PART#')) continue;
      if (item['events'] !== undefined && item['events'] !== seen.get(key)) {
        events.push(...(JSON.parse(String(item['events'])) as unknown[]).map((event) => parseRegistryEvent(event)));
      }
      seen.set(key, item['events']);
    }
    return events;
  };
}
// An emulator on this machine stores an item far slower than DynamoDB: the 20,000-record import (80,000
// item writes, 40,000 reads) takes 10-20 s here where DynamoDB itself takes a few seconds (batches of 25/100).
describeVulnerabilityStoreContract('dynamodb (DynamoDB Local)', fresh, { fullImportTimeoutMs: 60_000, fullImportRecords: 8_000 });
