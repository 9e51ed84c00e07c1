import { CreateTableCommand, DescribeTableCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { TABLE_DEFINITION } from './table-design';

export interface CreateTableOptions {
  /** How long to wait for the table to become ACTIVE. */
  readonly timeoutMs?: number;
}

/**
 * Creates the metadata table as TABLE_DEFINITION describes it and waits until it is ACTIVE; a table that
 * already exists is only waited for. For tests and local setups: deployments declare the same definition
 * in serverless.yml. Setup code, so SDK errors are not translated.
 */
export async function createTable(client: DynamoDBClient, table: string, options: CreateTableOptions = {}): Promise<void> {
  try {
    await client.send(new CreateTableCommand({ TableName: table, ...structuredClone(TABLE_DEFINITION) }));
  } catch (error) {
    if ((error as { name?: string }).name !== 'ResourceInUseException') throw error;
  }
  const deadline = Date.now() + (options.timeoutMs ?? 60_000);
  for (;;) {
    const { Table } = await client.send(new DescribeTableCommand({ TableName: table }));
    if (Table?.TableStatus === 'ACTIVE') return;
    if (Date.now() > deadline) throw new Error(`table ${table} is still ${Table?.TableStatus ?? 'missing'}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
