import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { emulatorEnvironment } from '@cargohold/platform-aws/testing';
import { startDynamoDbLocal } from '@cargohold/storage-dynamodb/testing';
import { startS3rver } from '@cargohold/storage-s3/testing';
import pino from 'pino';
import { startServer, type RunningServer } from '../../server';

/** A running `cargohold serve` the concurrency suite talks to over HTTP, and how to stop what it started. */
export interface BackendServer {
  readonly url: string;
  stop(): Promise<void>;
}

export interface Backend {
  readonly name: 'embedded' | 'aws';
  start(): Promise<BackendServer>;
}

const silent = () => pino({ level: 'silent' });

/** `cargohold serve` as installed: SQLite metadata and filesystem blobs under a temporary data directory. */
async function startEmbedded(): Promise<BackendServer> {
  const dataDir = await mkdtemp(join(tmpdir(), 'cargohold-race-'));
  const server = await startServer({ port: 0, dataDir, logger: silent(), allowAnonymous: false });
  return {
    url: server.url,
    async stop() {
      await server.close(1000);
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/**
 * `cargohold serve --backend aws` over s3rver and DynamoDB Local (transactions as DynamoDB has them). The
 * one place that names the DynamoDB emulator.
 */
async function startAws(): Promise<BackendServer> {
  const s3 = await startS3rver('race-blobs');
  const dynamo = await startDynamoDbLocal();
  const table = await dynamo.freshTable();
  const saved = { ...process.env };
  Object.assign(process.env, { ...emulatorEnvironment({ s3: s3.endpoint, dynamodb: dynamo.endpoint }), S3_FORCE_PATH_STYLE: 'true' });
  delete process.env['AWS_PROFILE'];
  const dataDir = await mkdtemp(join(tmpdir(), 'cargohold-race-aws-'));
  let server: RunningServer;
  try {
    server = await startServer({ port: 0, dataDir, backend: 'aws', bucket: s3.bucket, table, logger: silent(), allowAnonymous: false });
  } catch (error) {
    process.env = saved;
    await Promise.all([dynamo.stop(), s3.stop()]);
    throw error;
  }
  return {
    url: server.url,
    async stop() {
      await server.close(1000);
      process.env = saved;
      await dynamo.stop();
      await s3.stop();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

export const BACKENDS: readonly Backend[] = [
  { name: 'embedded', start: startEmbedded },
  { name: 'aws', start: startAws },
];
