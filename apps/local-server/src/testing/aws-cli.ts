import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { promisify } from 'node:util';

/** The real AWS CLI v2 (never whatever `aws` is on PATH). */
export const AWS_CLI = '/usr/bin/aws';

export function awsCliAvailable(): boolean {
  if (existsSync(AWS_CLI)) return true;
  if (process.env['CI']) throw new Error(`${AWS_CLI} is required in CI`);
  return false;
}

/** The environment of an isolated CLI: the embedded admin's keys, no profile, no pager. */
function env(): NodeJS.ProcessEnv {
  const base = Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith('AWS_')));
  return {
    ...base,
    AWS_ACCESS_KEY_ID: 'test',
    AWS_SECRET_ACCESS_KEY: 'test',
    AWS_DEFAULT_REGION: 'us-east-1',
    AWS_PAGER: '',
    AWS_CONFIG_FILE: '/dev/null',
    AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
  };
}

/**
 * `aws ecr <args> --endpoint-url <endpoint>`: the parsed JSON output, or, for a service error, the
 * exception name the CLI prints (`An error occurred (<Name>) when calling …`) as `{ error }`.
 */
export async function awsEcr(endpoint: string, args: string[]): Promise<Record<string, unknown> & { error?: string }> {
  try {
    const { stdout } = await promisify(execFile)(AWS_CLI, ['ecr', ...args, '--endpoint-url', endpoint, '--output', 'json'], { env: env(), timeout: 60_000 });
    return stdout.trim() === '' ? {} : (JSON.parse(stdout) as Record<string, unknown>);
  } catch (error) {
    const stderr = String((error as { stderr?: string }).stderr ?? error);
    const name = /An error occurred \(([A-Za-z]+)\)/.exec(stderr)?.[1];
    if (name === undefined) throw error;
    return { error: name };
  }
}

/** `aws ecr` bound to one server, failing on any error: for journeys in which every call must succeed. */
export function awsCli(url: string) {
  return async function ecr<T = Record<string, unknown>>(args: readonly string[]): Promise<T> {
    const { stdout } = await promisify(execFile)(AWS_CLI, ['ecr', ...args, '--endpoint-url', url, '--output', 'json'], {
      env: env(),
      timeout: 60_000,
      maxBuffer: 16 * 1024 * 1024,
    });
    return (stdout.trim() === '' ? {} : JSON.parse(stdout)) as T;
  };
}
