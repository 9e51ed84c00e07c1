import { randomUUID } from 'node:crypto';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { DeleteTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { createTable } from '../create-table';

/** The part of dynalite's API the harness uses (dynalite 4 ships JSDoc, not declarations). */
type DynaliteFactory = (options?: { createTableMs?: number; deleteTableMs?: number; updateTableMs?: number }) => Server;

/** An in-memory DynamoDB (dynalite) on a random local port, with a client pointed at it. */
export interface Dynalite {
  readonly endpoint: string;
  readonly client: DynamoDBClient;
  /** A new client for the same server (e.g. to add middleware without affecting others); stopped with it. */
  newClient(): DynamoDBClient;
  /** Creates a table from TABLE_DEFINITION under a unique name and answers the name. */
  freshTable(prefix?: string): Promise<string>;
  deleteTable(name: string): Promise<void>;
  stop(): Promise<void>;
}

/**
 * Starts dynalite for a spec file. dynalite is a devDependency, loaded only when this is called, so
 * production bundles that never call it mark it external. It has no TransactWriteItems and no streams:
 * see the adapter's design notes.
 */
export async function startDynalite(): Promise<Dynalite> {
  // A non-literal specifier: dynalite ships no types, and bundles of production code must never load it.
  const specifier = 'dynalite';
  const loaded = (await import(specifier)) as { default?: DynaliteFactory } & DynaliteFactory;
  const dynalite = loaded.default ?? loaded;
  const server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const clients: DynamoDBClient[] = [];
  const newClient = () => {
    const client = new DynamoDBClient({
      endpoint,
      region: 'us-east-1',
      credentials: { accessKeyId: 'fake', secretAccessKey: 'fake' },
    });
    clients.push(client);
    return client;
  };
  const client = newClient();
  return {
    endpoint,
    client,
    newClient,
    async freshTable(prefix = 'cargohold') {
      const name = `${prefix}-${randomUUID()}`;
      await createTable(client, name, { timeoutMs: 5_000 });
      return name;
    },
    async deleteTable(name) {
      await client.send(new DeleteTableCommand({ TableName: name }));
    },
    async stop() {
      for (const c of clients) c.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve())));
    },
  };
}
