import { spawn } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { mkdir, readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { cargoholdCli, freePort } from '@cargohold/e2e';
import { EMULATOR_ENV } from './aws-registry';

const ROOT = resolve(__dirname, '../../..');

export interface CargoholdChild {
  readonly url: string;
  /** SIGKILL: no drain, no cleanup, as a crash or an OOM kill ends it. */
  kill(): Promise<void>;
}

export interface CargoholdChildOptions {
  readonly dataDir: string;
  readonly bucket: string;
  readonly table: string;
  /** Where its SDK clients go: the fault proxies. */
  readonly endpoints: { readonly s3: string; readonly dynamodb: string };
}

/** `cargohold serve --backend aws --allow-anonymous` in a child process, ready once `/v2/` answers. */
export async function spawnCargohold(options: CargoholdChildOptions): Promise<CargoholdChild> {
  const cli = await cargoholdCli();
  const port = await freePort();
  await mkdir(options.dataDir, { recursive: true });
  const logFile = join(options.dataDir, `cargohold-${port}.log`);
  const log = openSync(logFile, 'a');
  const args = ['serve', '--host', '127.0.0.1', '--port', String(port), '--data-dir', options.dataDir, '--log-level', 'warn', '--allow-anonymous'];
  const child = spawn(process.execPath, [cli, ...args, '--backend', 'aws', '--bucket', options.bucket, '--table', options.table], {
    stdio: ['ignore', log, log],
    env: {
      ...process.env,
      ...EMULATOR_ENV,
      AWS_ENDPOINT_URL_S3: options.endpoints.s3,
      AWS_ENDPOINT_URL_DYNAMODB: options.endpoints.dynamodb,
      S3_FORCE_PATH_STYLE: 'true',
      NODE_PATH: join(ROOT, 'node_modules'),
    },
  });
  closeSync(log);
  const exited = new Promise<void>((done) => child.once('exit', () => done()));
  const kill = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await exited;
  };
  process.once('exit', () => child.kill('SIGKILL'));
  const url = `http://127.0.0.1:${port}`;
  for (const deadline = Date.now() + 30_000; Date.now() < deadline; await sleep(100)) {
    if (child.exitCode !== null) break;
    const ready = await fetch(`${url}/v2/`).then(
      (response) => response.status === 200,
      () => false,
    );
    if (ready) return { url, kill };
  }
  await kill();
  throw new Error(`cargohold did not start\n${(await readFile(logFile, 'utf8')).slice(-3000)}`);
}
