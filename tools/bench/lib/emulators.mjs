// The AWS emulators the upload-gateway measurement runs over, each in its own process so that neither
// shares a CPU with the bench's own client: s3rver (node node_modules/s3rver, one bucket) and DynamoDB
// Local (a JVM, through the spec harness libs/storage/dynamodb/src/testing, bundled on the fly by
// esbuild as tools/bench/lib/images.mjs bundles the e2e builders). Both stop at exit like every child.
import { mkdtemp } from 'node:fs/promises';
import { join } from 'node:path';
import { S3Client } from '@aws-sdk/client-s3';
import { freePort, sleep, spawnTracked, stopChild } from './proc.mjs';
import { bundleAndImport, ROOT } from './bundle.mjs';

const S3RVER = join(ROOT, 'node_modules/s3rver/bin/s3rver.js');
/** s3rver's fixed credentials; the SDK sends checksums only where required, as s3rver expects. */
const CREDENTIALS = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' };

async function dynamoHarness() {
  return bundleAndImport('dynamodb-local', 'libs/storage/dynamodb/src/testing/dynamodb-local.ts', { packages: 'external' });
}

async function startS3rver(tmp, bucket) {
  const directory = await mkdtemp(join(tmp, 's3rver-'));
  const port = await freePort();
  const child = spawnTracked(process.execPath, [S3RVER, '-d', directory, '-a', '127.0.0.1', '-p', String(port), '-s', '--configure-bucket', bucket]);
  const endpoint = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 20_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`s3rver exited during startup:\n${child.tail}`);
    try {
      await (await fetch(endpoint, { signal: AbortSignal.timeout(1000) })).arrayBuffer();
      break;
    } catch {
      if (Date.now() > deadline) throw new Error(`s3rver did not answer on ${endpoint}:\n${child.tail}`);
      await sleep(50);
    }
  }
  return { endpoint, pid: child.pid, stop: () => stopChild(child) };
}

/**
 * Starts s3rver with `bucket` and DynamoDB Local with a fresh metadata table. Returns their endpoints,
 * an S3 client for the bench's own requests, the SDK environment that points cargohold at them, and stop().
 */
export async function startEmulators(tmp, bucket = 'bench-blobs') {
  const { startDynamoDbLocal } = await dynamoHarness();
  const [s3, dynamo] = await Promise.all([startS3rver(tmp, bucket), startDynamoDbLocal()]);
  const table = await dynamo.freshTable('bench');
  const s3Client = new S3Client({
    endpoint: s3.endpoint,
    forcePathStyle: true,
    region: 'us-east-1',
    credentials: CREDENTIALS,
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
  const env = {
    AWS_ENDPOINT_URL_S3: s3.endpoint,
    AWS_ENDPOINT_URL_DYNAMODB: dynamo.endpoint,
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: CREDENTIALS.secretAccessKey,
    AWS_REQUEST_CHECKSUM_CALCULATION: 'WHEN_REQUIRED',
    AWS_RESPONSE_CHECKSUM_VALIDATION: 'WHEN_REQUIRED',
    S3_FORCE_PATH_STYLE: 'true',
  };
  return {
    bucket,
    table,
    s3: s3Client,
    s3Pid: s3.pid,
    env,
    async stop() {
      s3Client.destroy();
      await Promise.all([s3.stop(), dynamo.stop()]);
    },
  };
}
