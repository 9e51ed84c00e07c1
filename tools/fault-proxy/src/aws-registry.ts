import { AllowAllAuthorizer } from '@cargohold/auth';
import { createDistributionApi } from '@cargohold/http-distribution';
import type { HttpHandler } from '@cargohold/lambda-kit';
import { formatRegistryKey } from '@cargohold/oci';
import { AwsClients, openAwsStorage, type AwsStorage } from '@cargohold/platform-aws';
import { createRegistry } from '@cargohold/registry-core';
import { startDynamoDbLocal, type DynamoDbLocal } from '@cargohold/storage-dynamodb/testing';
import { startS3rver, type S3rverHandle } from '@cargohold/storage-s3/testing';
import { startFaultProxy, type FaultProxy } from './fault-proxy';
import type { FaultSchedule } from './schedule';

/** The emulators the AWS adapters run against in tests, with one bucket and one fresh table. */
export interface Emulators {
  readonly s3: S3rverHandle;
  readonly dynamo: DynamoDbLocal;
  readonly table: string;
  stop(): Promise<void>;
}

/** The SDK's environment for the emulators (credentials, region, checksums as s3rver expects). */
export const EMULATOR_ENV = {
  AWS_REGION: 'us-east-1',
  AWS_ACCESS_KEY_ID: 'S3RVER',
  AWS_SECRET_ACCESS_KEY: 'S3RVER',
  AWS_REQUEST_CHECKSUM_CALCULATION: 'WHEN_REQUIRED',
  AWS_RESPONSE_CHECKSUM_VALIDATION: 'WHEN_REQUIRED',
} as const;

export async function startEmulators(bucket = 'fault-blobs'): Promise<Emulators> {
  Object.assign(process.env, EMULATOR_ENV);
  delete process.env['AWS_PROFILE'];
  const s3 = await startS3rver(bucket);
  const dynamo = await startDynamoDbLocal();
  const table = await dynamo.freshTable('faults');
  return {
    s3,
    dynamo,
    table,
    stop: async () => {
      await dynamo.stop();
      await s3.stop();
    },
  };
}

/** One proxy per service in front of the emulators, sharing one schedule. */
export interface Proxies {
  readonly s3: FaultProxy;
  readonly dynamodb: FaultProxy;
  stop(): Promise<void>;
}

export async function startProxies(emulators: Emulators, schedule: FaultSchedule): Promise<Proxies> {
  const s3 = await startFaultProxy({ upstream: emulators.s3.endpoint, schedule });
  const dynamodb = await startFaultProxy({ upstream: emulators.dynamo.endpoint, schedule });
  return { s3, dynamodb, stop: async () => void (await Promise.all([s3.stop(), dynamodb.stop()])) };
}

export const REGISTRY = formatRegistryKey({ account: '000000000000', region: 'us-east-1' });

/** The `/v2/` API over openAwsStorage, its SDK clients pointed wherever the test says. */
export interface AwsRegistry {
  readonly api: HttpHandler;
  readonly storage: AwsStorage;
  close(): Promise<void>;
}

export interface AwsRegistryOptions {
  readonly endpoints: { readonly s3: string; readonly dynamodb: string };
  /** Short in tests, so that a held request times out within the suite's budget. */
  readonly socketTimeoutMs?: number;
  readonly maxAttempts?: number;
}

/**
 * The registry as a deployment composes it (createRegistry over openAwsStorage, served by the
 * transport-neutral `/v2/` handler every entry point uses), with every request let through: the faults
 * are the subject here, not auth.
 */
export function openAwsRegistry(emulators: Emulators, options: AwsRegistryOptions): AwsRegistry {
  const clients = new AwsClients({
    region: 'us-east-1',
    s3ForcePathStyle: true,
    endpoints: options.endpoints,
    ...(options.socketTimeoutMs !== undefined ? { socketTimeoutMs: options.socketTimeoutMs } : {}),
    ...(options.maxAttempts !== undefined ? { maxAttempts: options.maxAttempts } : {}),
  });
  const storage = openAwsStorage(clients, { bucket: emulators.s3.bucket, table: emulators.table });
  const api = createDistributionApi({ registry: createRegistry({ storage }), authorizer: new AllowAllAuthorizer(), registryFor: () => REGISTRY });
  return { api, storage, close: () => storage.close() };
}

/** Emulators, a fault proxy per service, and two registries over them: one through the proxies, one direct. */
export interface FaultRig {
  /** Its SDK clients go through the fault proxies. */
  readonly faulty: AwsRegistry;
  /** Reads the emulators directly: what the invariants are checked against once no fault is pending. */
  readonly direct: AwsRegistry;
  stop(): Promise<void>;
}

export async function startFaultRig(
  name: string,
  schedule: FaultSchedule,
  options: Pick<AwsRegistryOptions, 'socketTimeoutMs' | 'maxAttempts'>,
): Promise<FaultRig> {
  const emulators = await startEmulators(name);
  const proxies = await startProxies(emulators, schedule);
  const faulty = openAwsRegistry(emulators, { endpoints: { s3: proxies.s3.endpoint, dynamodb: proxies.dynamodb.endpoint }, ...options });
  const direct = openAwsRegistry(emulators, { endpoints: { s3: emulators.s3.endpoint, dynamodb: emulators.dynamo.endpoint } });
  return {
    faulty,
    direct,
    async stop() {
      await faulty.close();
      await direct.close();
      await proxies.stop();
      await emulators.stop();
    },
  };
}
