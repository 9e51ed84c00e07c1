import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';
import { run, type RunOptions, type RunResult } from './exec';

/**
 * Client binaries the integration specs drive. Locally a missing client skips its suite with a loud
 * warning, so a laptop without podman can still run everything else; in CI (`CI=true`) a missing client
 * fails the suite, so a broken CI image can never turn into a silently green run.
 */

export type ClientName = 'skopeo' | 'docker' | 'dockerd' | 'podman' | 'umoci' | 'aws' | 'docker-registry' | 'ctr' | 'containerd';

export function isCi(): boolean {
  return process.env['CI'] === 'true';
}

/**
 * Clients used from a fixed path rather than PATH: the `aws` on PATH may be an old shim (pyenv, v1),
 * while the specs need the real AWS CLI v2.
 */
/** The AWS CLI v2 binary the specs drive. */
export const AWS_CLI = '/usr/bin/aws';

const FIXED_PATHS: Partial<Record<ClientName, string>> = { aws: AWS_CLI };

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** The absolute path of `name` on PATH, or undefined. */
export function findClient(name: string): string | undefined {
  for (const dir of (process.env['PATH'] ?? '').split(delimiter)) {
    if (!dir) continue;
    const candidate = join(dir, name);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not in this directory
    }
  }
  return undefined;
}

/**
 * True when the client can run here. When it cannot: throws in CI, otherwise warns and returns false.
 * `dockerd` and `containerd` also need root (they mount; dockerd manages its own containerd).
 */
export function requireClient(name: ClientName): boolean {
  const fixed = FIXED_PATHS[name];
  const missing = fixed === undefined ? findClient(name) === undefined : !isExecutable(fixed);
  const problem = missing
    ? fixed === undefined
      ? `${name} is not on PATH`
      : `${fixed} is missing`
    : (name === 'dockerd' || name === 'containerd') && process.getuid?.() !== 0
      ? `${name} needs root`
      : undefined;
  if (problem === undefined) return true;
  if (isCi()) throw new Error(`${problem}: CI must provide every client (see .ci/run)`);
  const bar = '!'.repeat(78);
  console.warn(`${bar}\n!! SKIPPING: ${problem}. These client tests did NOT run. (In CI this fails.)\n${bar}`);
  return false;
}

/** `describe` when every client is available, `describe.skip` locally when one is missing. */
export function describeWithClients(names: ClientName[], title: string, fn: () => void): void {
  const available = names.map(requireClient).every(Boolean);
  (available ? describe : describe.skip)(title, fn);
}

export interface SkopeoOptions extends RunOptions {
  /** `user:password` for docker:// references (sent as --creds / --src-creds / --dest-creds). */
  creds?: string;
  /** Keep TLS verification on for docker:// references. Default false: the registries under test are plain HTTP. */
  tlsVerify?: boolean;
}

/**
 * Runs `skopeo <subcommand> …`, adding the TLS and credential flags each docker:// reference needs:
 * for `copy` the source (second to last argument) and destination (last) get --src-… and --dest-… flags;
 * `inspect`, `list-tags` and `delete` get --tls-verify/--creds.
 */
export function skopeo(args: string[], options: SkopeoOptions = {}): Promise<RunResult> {
  return run('skopeo', skopeoArgs(args, options), { timeoutMs: 120_000, ...options });
}

/** The argument list `skopeo()` runs: `args` with the TLS and credential flags inserted after the subcommand. */
export function skopeoArgs(args: string[], options: Pick<SkopeoOptions, 'creds' | 'tlsVerify'> = {}): string[] {
  // Global options (e.g. --override-arch arm64) may precede the subcommand.
  const at = args.findIndex((arg) => SKOPEO_SUBCOMMANDS.has(arg));
  if (at < 0) throw new Error(`skopeo needs a subcommand: ${args.join(' ')}`);
  const subcommand = args[at];
  const rest = args.slice(at + 1);
  const remote = (ref: string | undefined) => ref?.startsWith('docker://') === true;
  const tls = `=${options.tlsVerify === true}`;
  const flags = (prefix: string) => [`--${prefix}tls-verify${tls}`, ...(options.creds ? [`--${prefix}creds`, options.creds] : [])];
  const inserted =
    subcommand === 'copy'
      ? [...(remote(rest.at(-2)) ? flags('src-') : []), ...(remote(rest.at(-1)) ? flags('dest-') : [])]
      : rest.some(remote)
        ? flags('')
        : [];
  return [...args.slice(0, at + 1), ...inserted, ...rest];
}

const SKOPEO_SUBCOMMANDS = new Set(['copy', 'delete', 'inspect', 'list-tags', 'sync', 'login', 'logout', 'manifest-digest']);

export interface AwsCliOptions extends Omit<RunOptions, 'env'> {
  /** `http://127.0.0.1:PORT`, passed as --endpoint-url. */
  endpoint: string;
  /** Default test/test (the embedded admin). */
  credentials?: { accessKeyId: string; secretAccessKey: string };
  /** Default us-east-1. */
  region?: string;
  /** Extra variables on top of the isolated AWS environment. */
  env?: NodeJS.ProcessEnv;
}

/**
 * The environment for the AWS CLI: process.env without any AWS_* variable of the caller (profiles,
 * session tokens, …), no config or credentials files, no pager, no instance metadata lookups.
 */
export function awsCliEnv(
  credentials: { accessKeyId: string; secretAccessKey: string } = { accessKeyId: 'test', secretAccessKey: 'test' },
  region = 'us-east-1',
  base: NodeJS.ProcessEnv = process.env,
): NodeJS.ProcessEnv {
  const env = Object.fromEntries(Object.entries(base).filter(([key]) => !key.startsWith('AWS_')));
  return {
    ...env,
    AWS_ACCESS_KEY_ID: credentials.accessKeyId,
    AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey,
    AWS_DEFAULT_REGION: region,
    AWS_PAGER: '',
    AWS_CONFIG_FILE: '/dev/null',
    AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
    AWS_EC2_METADATA_DISABLED: 'true',
  };
}

/** Runs `/usr/bin/aws <args> --endpoint-url <endpoint> --output json` in the isolated AWS environment. */
export function awsCli(args: string[], options: AwsCliOptions): Promise<RunResult> {
  const { endpoint, credentials, region, env, ...runOptions } = options;
  return run(AWS_CLI, [...args, '--endpoint-url', endpoint, '--output', 'json'], {
    timeoutMs: 60_000,
    ...runOptions,
    env: { ...awsCliEnv(credentials, region), ...env },
  });
}
