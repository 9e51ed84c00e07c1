import { spawn } from 'node:child_process';
import { closeSync, existsSync, openSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { BUCKET, REGION, TABLE, type Endpoints } from './topology';
import { supervise } from './watchdog';

export interface UploadGatewayOptions {
  readonly root: string;
  readonly host: string;
  readonly port: number;
  readonly dataDir: string;
  readonly endpoints: Endpoints;
  readonly tokenKeyBase64: string;
  readonly identitiesJson?: string;
  /** Pull-through upstreams reached over http on loopback (comma-separated), as the functions get them. */
  readonly pullThroughInsecureUpstreams?: string;
  readonly logFile: string;
  readonly logLevel: string;
}

/** The built `cargohold` CLI the gateway runs (`nx run local-server:build`). */
export function cargoholdCli(root: string): string {
  return join(root, 'dist/apps/local-server/main.js');
}

/**
 * The upload gateway as the Fargate service runs it: `cargohold serve --backend aws --role upload-gateway`
 * over the same bucket and table, with the functions' token key (its capabilities are checked with it).
 * Ready once `/healthz` answers, as the load balancer's health check asks.
 */
export async function startUploadGateway(options: UploadGatewayOptions): Promise<{ url: string; stop(): Promise<void> }> {
  const cli = cargoholdCli(options.root);
  if (!existsSync(cli)) throw new Error(`${cli} is missing: build it first (NX_DAEMON=false npx nx run local-server:build), or pass --no-gateway`);
  await mkdir(options.dataDir, { recursive: true });
  const env = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('AWS_') && !name.startsWith('CARGOHOLD_')));
  const log = openSync(options.logFile, 'a');
  const args = ['serve', '--backend', 'aws', '--role', 'upload-gateway', '--host', options.host, '--port', String(options.port)];
  args.push('--bucket', BUCKET, '--table', TABLE, '--data-dir', options.dataDir, '--log-level', options.logLevel);
  // The gateway fills pull-through blob misses the /v2/ function redirects to it: the same upstreams apply.
  const insecureUpstreams = (options.pullThroughInsecureUpstreams ?? '').split(',').filter(Boolean);
  if (insecureUpstreams.length > 0) {
    const config = join(options.dataDir, 'config.json');
    await writeFile(config, JSON.stringify({ pullThroughCache: { insecureUpstreams } }));
    args.push('--config', config);
  }
  // Node's flags as the task definition gives them (resources/upload-gateway.yml).
  const child = spawn(process.execPath, ['--max-semi-space-size=2', cli, ...args], {
    stdio: ['ignore', log, log],
    env: {
      ...env,
      AWS_REGION: REGION,
      AWS_ACCESS_KEY_ID: 'S3RVER',
      AWS_SECRET_ACCESS_KEY: 'S3RVER',
      AWS_EC2_METADATA_DISABLED: 'true',
      AWS_REQUEST_CHECKSUM_CALCULATION: 'WHEN_REQUIRED',
      AWS_RESPONSE_CHECKSUM_VALIDATION: 'WHEN_REQUIRED',
      AWS_ENDPOINT_URL_S3: options.endpoints.s3,
      AWS_ENDPOINT_URL_DYNAMODB: options.endpoints.dynamodb,
      S3_FORCE_PATH_STYLE: 'true',
      CARGOHOLD_TOKEN_KEY_BASE64: options.tokenKeyBase64,
      ...(options.identitiesJson !== undefined ? { CARGOHOLD_IDENTITIES_JSON: options.identitiesJson } : {}),
    },
  });
  closeSync(log);
  const { exited, stop } = supervise(child, 10_000);
  const url = `http://${options.host}:${options.port}`;
  let gone = false;
  void exited.then(() => (gone = true));
  const deadline = Date.now() + 20_000;
  for (;;) {
    if (gone) throw new Error(`the upload gateway exited during start-up (exit ${child.exitCode ?? child.signalCode}); see ${options.logFile}`);
    try {
      if ((await fetch(`${url}/healthz`)).status === 200) return { url, stop };
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`the upload gateway did not answer ${url}/healthz within 20 s; see ${options.logFile}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
