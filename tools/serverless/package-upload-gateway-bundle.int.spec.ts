import { spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { copyFileSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { issueToken } from '@cargohold/auth';
import { httpApiEvent } from '@cargohold/lambda-kit/testing';
import { emulatorEnvironment } from '@cargohold/platform-aws/testing';
import { startDynamoDbLocal, type DynamoDbLocal } from '@cargohold/storage-dynamodb/testing';
import { startS3rver, type S3rverHandle } from '@cargohold/storage-s3/testing';
import { extractZip, loadBundle, offlineFunctionEnv } from './bundles';
import { packagedStages, resourceOf, type Packaged } from './packaged';
import { functionByHandler } from './template';

/**
 * The upload gateway's bundle as `serverless package --stage dev` wrote it (once per run: packaged.ts),
 * booted as the Fargate task runs it: the task definition's own command, from a directory with no
 * node_modules anywhere above it (the task's bare node image has none), here over s3rver and DynamoDB
 * Local; then a push across the two bundles: the packaged distribution-api Lambda starts the upload, the
 * layer goes to the gateway by capability alone.
 */
jest.setTimeout(120_000);

const DISTRIBUTION_API = 'apps/distribution-api/src/main.lambda.handler';
const ACCOUNT = '123456789012';
const TOKEN_KEY = randomBytes(32);
const IDENTITIES = {
  accounts: [
    {
      id: ACCOUNT,
      region: 'us-east-1',
      users: [{ name: 'ci', accessKeys: [{ accessKeyId: 'CARGOHOLDCI01', secretAccessKey: 'bundle-check-secret' }], policies: [allowAll()] }],
    },
  ],
};

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

/** The gateway container's command in the dev template. */
function gatewayCommand(): unknown[] {
  const containers = resourceOf(packaged.templates.dev, 'UploadGatewayTaskDefinition').Properties['ContainerDefinitions'] as Record<string, unknown>[];
  return (containers.find((c) => c['Name'] === 'upload-gateway') as { Command: unknown[] }).Command;
}

describe('upload gateway bundle (--stage dev)', () => {
  it('is named by its content hash, is the one the task definition fetches, and bundles pino but not better-sqlite3', () => {
    const bytes = readFileSync(bundle);
    const name = bundle.slice(bundle.lastIndexOf('/') + 1);
    expect(name).toBe(`upload-gateway-${createHash('sha256').update(bytes).digest('hex').slice(0, 16)}.js`);
    // Under this deployment's artifact directory, next to the function zips.
    const record = resourceOf(packaged.templates.dev, 'UploadGatewayTaskDefinition').Metadata?.['cargohold:bundle'];
    const functionKey = (functionByHandler(packaged.templates.dev, DISTRIBUTION_API)[1].Properties['Code'] as { S3Key: string }).S3Key;
    expect(record).toEqual({ file: name, key: `${dirname(functionKey)}/${name}` });
    const code = bytes.toString('utf8');
    expect(code).toContain('// node_modules/pino/pino.js');
    expect(code).not.toContain('// node_modules/better-sqlite3/');
    expect(code).not.toMatch(/require\(["']pino["']\)/);
    process.stderr.write(`upload gateway bundle: ${(bytes.length / 1024 / 1024).toFixed(2)} MiB\n`);
  });

  describe('booted outside the repository with the task definition command, over s3rver and DynamoDB Local', () => {
    let s3: S3rverHandle;
    let dynamo: DynamoDbLocal;
    let table: string;
    let gateway: { url: string; bootMs: number; stop(): Promise<number | null> };

    beforeAll(async () => {
      [s3, dynamo] = await Promise.all([startS3rver('gateway-bundle-blobs'), startDynamoDbLocal()]);
      table = await dynamo.freshTable();
      gateway = await startGateway();
      process.stderr.write(`upload gateway bundle: serving after ${Math.round(gateway.bootMs)} ms\n`);
    });

    afterAll(async () => {
      if (gateway) expect(await gateway.stop()).toBe(0);
      await dynamo?.stop();
      await s3?.stop();
    });

    it('answers the health check, and an upload session request without a capability with a 401 OCI error', async () => {
      const health = await fetch(`${gateway.url}/healthz`);
      expect(health.status).toBe(200);
      expect(await health.json()).toEqual({ status: 'ok' });

      const patch = await fetch(`${gateway.url}/v2/team/app/blobs/uploads/0b5d2a3e-2c1f-4d6e-9a7b-8c9d0e1f2a3b`, {
        method: 'PATCH',
        headers: { 'Content-Type': 'application/octet-stream' },
        body: Buffer.from('data'),
      });
      expect(patch.status).toBe(401);
      const body = (await patch.json()) as { errors: { code: string; message: string }[] };
      expect(body.errors).toEqual([expect.objectContaining({ code: 'UNAUTHORIZED', message: expect.any(String) })]);
    });

    it('takes a layer over Lambda’s cap for an upload the packaged distribution-api Lambda started', async () => {
      const lambda = lambdaBundle();
      const login = issueToken({ accountId: ACCOUNT, principalArn: `arn:aws:iam::${ACCOUNT}:user/ci`, registry: `${ACCOUNT}:us-east-1` }, TOKEN_KEY, {
        now: new Date(),
      });
      const authorization = `Basic ${Buffer.from(`AWS:${login.token}`).toString('base64')}`;
      const invoke = async (method: string, target: string) => {
        const report = await loadBundle(lambda, {
          event: httpApiEvent({ method, target, routeKey: 'ANY /v2/{proxy+}', headers: { authorization } }),
          env: lambdaEnv(),
        });
        expect(report.error).toBeUndefined();
        return report.result as { statusCode: number; headers: Record<string, string> };
      };

      const started = await invoke('POST', '/v2/team/app/blobs/uploads/');
      expect(started.statusCode).toBe(202);
      const location = new URL(started.headers['location'] ?? started.headers['Location'] ?? '');
      expect(location.origin).toBe(gateway.url);
      expect(location.searchParams.get('X-Cargohold-Upload')).toMatch(/^v1\./);

      // Over the ~6 MB Lambda cap, and no credentials: docker sends none to another host.
      const layer = randomBytes(7 * 1024 * 1024);
      const digest = `sha256:${createHash('sha256').update(layer).digest('hex')}`;
      const patched = await fetch(location, { method: 'PATCH', headers: { 'Content-Type': 'application/octet-stream' }, body: layer });
      expect(patched.status).toBe(202);
      const next = new URL(patched.headers.get('location') ?? '', gateway.url);
      next.searchParams.set('digest', digest);
      const done = await fetch(next, { method: 'PUT' });
      expect(done.status).toBe(201);

      const head = await invoke('HEAD', `/v2/team/app/blobs/${digest}`);
      expect(head.statusCode).toBe(200);
    });

    /**
     * The task definition's command, with the bundle, data directory, address and port moved into this
     * test, and the stack's bucket and table replaced by the emulators'.
     */
    function startGateway(): Promise<{ url: string; bootMs: number; stop(): Promise<number | null> }> {
      const cli = join(work, 'cargohold.js');
      copyFileSync(bundle, cli);
      for (let dir = work; dir !== dirname(dir); dir = dirname(dir)) expect(existsSync(join(dir, 'node_modules'))).toBe(false);
      const replacements = new Map<string, string>([
        ['node', process.execPath],
        ['/opt/cargohold/cargohold.js', cli],
        ['0.0.0.0', '127.0.0.1'],
        ['8080', '0'],
        ['{"Ref":"BlobBucket"}', s3.bucket],
        ['{"Ref":"MetadataTable"}', table],
        ['/tmp/cargohold', join(work, 'data')],
      ]);
      const command = gatewayCommand().map((arg) => replacements.get(typeof arg === 'string' ? arg : JSON.stringify(arg)) ?? arg);
      expect(command.filter((arg) => typeof arg !== 'string')).toEqual([]);
      expect(command.filter((arg) => replacements.has(arg as string))).toEqual([]);
      expect(command.slice(3, 8)).toEqual(['serve', '--backend', 'aws', '--role', 'upload-gateway']);
      const [executable, ...args] = command as string[];
      const env = {
        PATH: process.env['PATH'] ?? '',
        ...emulatorEnvironment({ s3: s3.endpoint, dynamodb: dynamo.endpoint }),
        S3_FORCE_PATH_STYLE: 'true',
        AWS_EC2_METADATA_DISABLED: 'true',
        AWS_CONFIG_FILE: join(work, 'no-aws-config'),
        AWS_SHARED_CREDENTIALS_FILE: join(work, 'no-aws-credentials'),
        CARGOHOLD_TOKEN_KEY_BASE64: TOKEN_KEY.toString('base64'),
        CARGOHOLD_IDENTITIES_JSON: JSON.stringify(IDENTITIES),
      };
      const started = performance.now();
      const child = spawn(executable as string, args, { cwd: work, env, stdio: ['ignore', 'pipe', 'pipe'] });
      const exited = new Promise<number | null>((done) => child.once('exit', (code) => done(code)));
      const stop = async () => {
        // As ECS stops a task: the server drains and exits 0.
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

    /** The packaged distribution-api bundle, unzipped into this test's directory. */
    function lambdaBundle(): string {
      const zip = (functionByHandler(packaged.templates.dev, DISTRIBUTION_API)[1].Properties['Code'] as { S3Key: string }).S3Key.replace(/^.*\//, '');
      extractZip(join(packaged.work, 'dev', zip), join(work, 'distribution-api'));
      return join(work, 'distribution-api', 'apps/distribution-api/src/main.lambda.js');
    }

    /** As serverless.yml configures distribution-api, with the emulators for S3 and DynamoDB. */
    function lambdaEnv(): NodeJS.ProcessEnv {
      const { ALLOW_DEFAULT_IDENTITIES: _default, ...offline } = offlineFunctionEnv();
      return {
        ...offline,
        ...emulatorEnvironment({ s3: s3.endpoint, dynamodb: dynamo.endpoint }),
        S3_FORCE_PATH_STYLE: 'true',
        BUCKET: s3.bucket,
        TABLE: table,
        REGISTRY_ACCOUNT_ID: ACCOUNT,
        TOKEN_KEY_BASE64: TOKEN_KEY.toString('base64'),
        IDENTITIES_JSON: JSON.stringify(IDENTITIES),
        UPLOAD_GATEWAY_URL: gateway.url,
        LOG_LEVEL: 'silent',
      };
    }
  });
});

function allowAll() {
  return { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] };
}
