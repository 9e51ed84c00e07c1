import { describeBlobReclaimStoreContract } from '@cargohold/storage-testing';
import { createDynamoMetadata } from './index';
import { startDynamoDbLocal, type DynamoDbLocal } from './testing';

let dynamoDb: DynamoDbLocal;
beforeAll(async () => {
  dynamoDb = await startDynamoDbLocal();
});
afterAll(() => dynamoDb.stop());

describeBlobReclaimStoreContract('dynamodb (DynamoDB Local)', async () => {
  const table = await dynamoDb.freshTable();
  return { ...createDynamoMetadata({ client: dynamoDb.client, table }), cleanup: () => dynamoDb.deleteTable(table) };
});
