import { spawn } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { ECRClient, GetAuthorizationTokenCommand, PutAccountSettingCommand } from '@aws-sdk/client-ecr';
import { spawnCargohold } from './cargohold-process';
import { terminateOnExit } from './exec';
import { freePort, waitForV2 } from './ports';

/**
 * The registry the client specs run against, chosen by E2E_TARGET:
 *
 * - `cargohold` (default): the `cargohold serve` CLI in a child process, on a free port with a fresh
 *   data dir.
 * - `distribution`: CNCF distribution (/usr/bin/docker-registry) as a reference implementation, to prove
 *   the harness and the specs themselves: a spec that fails against distribution is a wrong spec.
 */

export type RegistryTarget = 'cargohold' | 'distribution';

export interface RegistryUnderTest {
  target: RegistryTarget;
  /** `127.0.0.1:PORT`: what goes in image references (`${host}/repo:tag`). */
  host: string;
  /** `http://127.0.0.1:PORT` */
  url: string;
  /** When the registry requires auth: pass to `docker login` / skopeo `--creds user:password`. */
  credentials?: { username: string; password: string };
  /** cargohold only: the data directory (for `cargohold vulndb import` into it). */
  dataDir?: string;
  stop(): Promise<void>;
}

export function registryTarget(): RegistryTarget {
  const target = process.env['E2E_TARGET'] ?? 'cargohold';
  if (target !== 'cargohold' && target !== 'distribution') {
    throw new Error(`E2E_TARGET must be cargohold or distribution, not ${JSON.stringify(target)}`);
  }
  return target;
}

export async function startRegistryUnderTest(target: RegistryTarget = registryTarget()): Promise<RegistryUnderTest> {
  return target === 'distribution' ? startDistribution() : startCargohold();
}

async function startCargohold(): Promise<RegistryUnderTest> {
  const dataDir = await mkdtemp(join(tmpdir(), 'cargohold-e2e-data-'));
  try {
    const started = await spawnCargohold({ dataDir, logLevel: process.env['E2E_LOG_LEVEL'] ?? 'error' });
    const url = new URL(started.url);
    return {
      target: 'cargohold',
      host: url.host,
      url: url.origin,
      credentials: await ecrLogin(started.url),
      dataDir,
      stop: async () => {
        await started.stop();
        await rm(dataDir, { recursive: true, force: true });
      },
    };
  } catch (error) {
    await rm(dataDir, { recursive: true, force: true });
    throw error;
  }
}

/** `aws ecr put-account-setting`, e.g. BLOB_MOUNTING=ENABLED (opt-in on ECR and on cargohold). */
export async function putAccountSetting(endpoint: string, name: string, value: string, credentials = { accessKeyId: 'test', secretAccessKey: 'test' }) {
  const client = new ECRClient({ endpoint, region: 'us-east-1', credentials });
  try {
    await client.send(new PutAccountSettingCommand({ name, value }));
  } finally {
    client.destroy();
  }
}

/** `aws ecr get-login-password`, through the SDK with the default test/test credentials. */
export async function ecrLogin(endpoint: string, credentials = { accessKeyId: 'test', secretAccessKey: 'test' }) {
  const client = new ECRClient({ endpoint, region: 'us-east-1', credentials });
  try {
    const { authorizationData } = await client.send(new GetAuthorizationTokenCommand({}));
    const decoded = Buffer.from(authorizationData?.[0]?.authorizationToken ?? '', 'base64').toString('utf8');
    const [username = '', password = ''] = decoded.split(/:(.*)/s);
    return { username, password };
  } finally {
    client.destroy();
  }
}

const DISTRIBUTION_BINARY = '/usr/bin/docker-registry';

async function startDistribution(): Promise<RegistryUnderTest> {
  const root = await mkdtemp(join(tmpdir(), 'cargohold-e2e-distribution-'));
  // distribution cannot report an ephemeral port, so take a free one and retry if another process wins it.
  for (let attempt = 1; ; attempt++) {
    const port = await freePort();
    try {
      return await launchDistribution(root, port);
    } catch (error) {
      if (attempt >= 3) {
        await rm(root, { recursive: true, force: true });
        throw error;
      }
    }
  }
}

async function launchDistribution(root: string, port: number): Promise<RegistryUnderTest> {
  const host = `127.0.0.1:${port}`;
  const config = join(root, 'config.yml');
  await writeFile(
    config,
    [
      'version: 0.1',
      'log:',
      '  level: warn',
      '  accesslog:',
      '    disabled: true',
      'storage:',
      '  filesystem:',
      `    rootdirectory: ${join(root, 'data')}`,
      '  delete:',
      '    enabled: true',
      '  maintenance:',
      '    uploadpurging:',
      '      enabled: false',
      'http:',
      `  addr: ${host}`,
      `  secret: ${randomBytes(16).toString('hex')}`,
      '',
    ].join('\n'),
  );
  // REGISTRY_* variables override the config file: keep the caller's out.
  const env = Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith('REGISTRY_')));
  const logFile = join(root, `registry-${port}.log`);
  const log = openSync(logFile, 'a');
  const child = spawn(DISTRIBUTION_BINARY, ['serve', config], { env, stdio: ['ignore', log, log] });
  closeSync(log);
  const release = terminateOnExit(child);
  const exited = new Promise<void>((resolve) => {
    child.once('exit', () => resolve());
    child.once('error', () => resolve());
  });
  const stopChild = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    await exited;
    release();
  };
  try {
    await waitForV2(`http://${host}/v2/`, exited, 15_000);
  } catch (error) {
    await stopChild();
    const logTail = await readFile(logFile, 'utf8').catch(() => '');
    throw new Error(`${(error as Error).message}\n--- ${logFile} ---\n${logTail.slice(-3000)}`);
  }
  return {
    target: 'distribution',
    host,
    url: `http://${host}`,
    stop: async () => {
      await stopChild();
      await rm(root, { recursive: true, force: true });
    },
  };
}
