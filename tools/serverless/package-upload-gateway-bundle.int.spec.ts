import { spawn } from 'node:child_process';
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { copyFileSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { emulatorEnvironment } from '@cargohold/platform-aws/testing';
import { startDynamoDbLocal, type DynamoDbLocal } from '@cargohold/storage-dynamodb/testing';
import { startS3rver, type S3rverHandle } from '@cargohold/storage-s3/testing';
import { packagedStages, resourceOf, type Packaged } from './packaged';
import { functionByHandler } from './template';

/**
 * The upload gateway's bundle as `serverless package --stage dev` wrote it (once per run: packaged.ts),
 * booted as the Fargate task runs it: `node cargohold.js serve --backend aws --role upload-gateway` from a
 * directory with no node_modules anywhere above it (the task's bare node image has none), here against
 * s3rver and DynamoDB Local.
 */
jest.setTimeout(120_000);

let packaged: Packaged;
let bundle: string;
let work: string;

beforeAll(async () => {
  packaged = await packagedStages();
  const [file, ...more] = readdirSync(join(packaged.work, 'dev')).filter((name) => /^upload-gateway-.*\.js$/.test(name));
  if (!file || more.length > 0) throw new Error(`expected one upload-gateway bundle, found ${[file, ...more].join(', ')}`);
  bundle = join(packaged.work, 'dev', file);
  work = mkdtempSync(join(tmpdir(), 'cargohold-gateway-bundle-'));
});

afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

describe('upload gateway bundle (--stage dev)', () => {
  it('is named by its content hash, is the one the task definition fetches, and bundles pino but not better-sqlite3', () => {
    const bytes = readFileSync(bundle);
    const name = bundle.slice(bundle.lastIndexOf('/') + 1);
    expect(name).toBe(`upload-gateway-${createHash('sha256').update(bytes).digest('hex').slice(0, 16)}.js`);
    // Under this deployment's artifact directory, next to the function zips.
    const record = resourceOf(packaged.templates.dev, 'UploadGatewayTaskDefinition').Metadata?.['cargohold:bundle'] as { file: string; key: string };
    const [, distributionApi] = functionByHandler(packaged.templates.dev, 'apps/distribution-api/src/main.lambda.handler');
    const functionKey = (distributionApi.Properties['Code'] as { S3Key: string }).S3Key;
    expect(record).toEqual({ file: name, key: `${dirname(functionKey)}/${name}` });
    const code = bytes.toString('utf8');
    expect(code).toContain('// node_modules/pino/pino.js');
    expect(code).not.toContain('// node_modules/better-sqlite3/');
    expect(code).not.toMatch(/require\(["']pino["']\)/);
    process.stderr.write(`upload gateway bundle: ${(bytes.length / 1024 / 1024).toFixed(2)} MiB\n`);
  });

  describe('booted outside the repository, over s3rver and DynamoDB Local', () => {
    let s3: S3rverHandle;
    let dynamo: DynamoDbLocal;
    let table: string;

    beforeAll(async () => {
      [s3, dynamo] = await Promise.all([startS3rver('gateway-bundle-blobs'), startDynamoDbLocal()]);
      table = await dynamo.freshTable();
    });

    afterAll(async () => {
      await dynamo?.stop();
      await s3?.stop();
    });

    it('answers GET /healthz with 200, an upload session request without a capability with a 401 OCI error, and stops on SIGTERM', async () => {
      const cli = join(work, 'cargohold.js');
      copyFileSync(bundle, cli);
      for (let dir = work; dir !== dirname(dir); dir = dirname(dir)) expect(existsSync(join(dir, 'node_modules'))).toBe(false);

      const gateway = await startGateway(cli, {
        PATH: process.env['PATH'] ?? '',
        ...emulatorEnvironment({ s3: s3.endpoint, dynamodb: dynamo.endpoint }),
        S3_FORCE_PATH_STYLE: 'true',
        AWS_EC2_METADATA_DISABLED: 'true',
        AWS_CONFIG_FILE: join(work, 'no-aws-config'),
        AWS_SHARED_CREDENTIALS_FILE: join(work, 'no-aws-credentials'),
        CARGOHOLD_TOKEN_KEY_BASE64: randomBytes(32).toString('base64'),
      });
      try {
        process.stderr.write(`upload gateway bundle: serving after ${Math.round(gateway.bootMs)} ms\n`);
        const health = await fetch(`${gateway.url}/healthz`);
        expect(health.status).toBe(200);
        expect(await health.json()).toEqual({ status: 'ok' });

        const patch = await fetch(`${gateway.url}/v2/team/app/blobs/uploads/${randomUUID()}`, {
          method: 'PATCH',
          headers: { 'Content-Type': 'application/octet-stream', 'Content-Range': '0-3' },
          body: Buffer.from('data'),
        });
        expect(patch.status).toBe(401);
        const body = (await patch.json()) as { errors: { code: string; message: string }[] };
        expect(body.errors).toEqual([expect.objectContaining({ code: expect.any(String), message: expect.any(String) })]);
      } finally {
        expect(await gateway.stop()).toBe(0);
      }
    });

    function startGateway(cli: string, env: NodeJS.ProcessEnv): Promise<{ url: string; bootMs: number; stop(): Promise<number | null> }> {
      const args = ['serve', '--backend', 'aws', '--role', 'upload-gateway', '--host', '127.0.0.1', '--port', '0'];
      args.push('--bucket', s3.bucket, '--table', table, '--data-dir', join(work, 'data'));
      const started = performance.now();
      const child = spawn(process.execPath, [cli, ...args], { cwd: work, env, stdio: ['ignore', 'pipe', 'pipe'] });
      const exited = new Promise<number | null>((done) => child.once('exit', (code) => done(code)));
      const stop = async () => {
        child.kill('SIGTERM');
        return exited;
      };
      let output = '';
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          child.kill('SIGKILL');
          reject(new Error(`the gateway did not serve within 30 s:\n${output}`));
        }, 30_000);
        const collect = (chunk: Buffer) => {
          output += chunk.toString();
          const match = /"url":"(http:[^"]+)"/.exec(output);
          if (match) {
            clearTimeout(timer);
            resolve({ url: match[1] as string, bootMs: performance.now() - started, stop });
          }
        };
        child.stdout.on('data', collect);
        child.stderr.on('data', collect);
        void exited.then((code) => {
          clearTimeout(timer);
          reject(new Error(`the gateway exited ${code} before serving:\n${output}`));
        });
      });
    }
  });
});
