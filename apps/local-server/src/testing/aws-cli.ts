import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { ADMIN } from './ecr-client';

const run = promisify(execFile);

/**
 * The real AWS CLI v2 (`/usr/bin/aws ecr …`) against a test server, as the admin, JSON out. The CLI's own
 * config and credentials files are kept out so the machine's settings cannot leak in.
 */
export function awsCli(url: string) {
  const env = {
    PATH: process.env['PATH'] ?? '/usr/bin:/bin',
    HOME: process.env['HOME'] ?? '/tmp',
    AWS_ACCESS_KEY_ID: ADMIN.accessKeyId,
    AWS_SECRET_ACCESS_KEY: ADMIN.secretAccessKey,
    AWS_DEFAULT_REGION: 'us-east-1',
    AWS_CONFIG_FILE: '/dev/null',
    AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
    AWS_PAGER: '',
  };
  return async function ecr<T = Record<string, unknown>>(args: readonly string[]): Promise<T> {
    const { stdout } = await run('/usr/bin/aws', ['ecr', ...args, '--endpoint-url', url, '--output', 'json'], { env, maxBuffer: 16 * 1024 * 1024 });
    return (stdout.trim() === '' ? {} : JSON.parse(stdout)) as T;
  };
}
