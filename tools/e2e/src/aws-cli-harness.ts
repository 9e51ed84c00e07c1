import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnCargohold, type CargoholdProcess } from './cargohold-process';
import { AWS_CLI, awsCli, awsCliEnv, type AwsCliOptions } from './clients';
import { type Dockerd } from './dockerd';
import { CommandFailedError, run, type RunResult } from './exec';
import { buildDockerArchive } from './images';

/**
 * What the AWS CLI specs (`aws-cli-*.int.spec.ts`, one journey each) share: the cargohold CLI serving
 * an admin and a pull-only user, and the real AWS CLI v2 (/usr/bin/aws, not whatever `aws` is on PATH)
 * pointed at it. Every assertion is about what the CLI prints, as a user of real ECR would see it: JSON
 * on stdout, `An error occurred (<Exception>) …` on stderr and exit code 254 for service errors.
 */

export const ACCOUNT = '000000000000';
export const REGION = 'us-east-1';
const ADMIN = { accessKeyId: 'test', secretAccessKey: 'test' };
/** A pull-only user next to the default admin. */
export const READER = { accessKeyId: 'AKIAREADER', secretAccessKey: 'readersecret' };
const IDENTITIES = {
  accounts: [
    {
      id: ACCOUNT,
      region: REGION,
      users: [
        {
          name: 'admin',
          accessKeys: [ADMIN],
          policies: [{ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] }],
        },
        {
          name: 'reader',
          accessKeys: [READER],
          policies: [
            {
              Version: '2012-10-17',
              Statement: [
                {
                  Effect: 'Allow',
                  Action: [
                    'ecr:GetAuthorizationToken',
                    'ecr:DescribeRepositories',
                    'ecr:DescribeImages',
                    'ecr:BatchGetImage',
                    'ecr:BatchCheckLayerAvailability',
                    'ecr:GetDownloadUrlForLayer',
                  ],
                  Resource: '*',
                },
              ],
            },
          ],
        },
      ],
    },
  ],
};

export interface AwsCliServer {
  /** The running server (after beforeAll). */
  readonly server: CargoholdProcess;
  /** `127.0.0.1:PORT` */
  readonly host: string;
  /** A scratch directory, removed after the suite. */
  readonly work: string;
  /** `aws <args> --endpoint-url <server>` with the admin's credentials unless given others. */
  cli(args: string[], options?: Partial<AwsCliOptions>): Promise<RunResult>;
  /** `aws ecr <args>`, its JSON output parsed. */
  ecr<T = Record<string, unknown>>(args: string[], options?: Partial<AwsCliOptions>): Promise<T>;
  /** The CLI's failure for a service error: exit code 254 and `An error occurred (<name>) when calling the <op> operation`. */
  ecrError(args: string[], options?: Partial<AwsCliOptions>): Promise<CommandFailedError>;
  /** `aws ecr get-login-password` as the admin. */
  loginPassword(): Promise<string>;
}

/** Starts `cargohold serve` for the enclosing describe (beforeAll) and stops it after (afterAll). */
export function useAwsCliServer(): AwsCliServer {
  let server: CargoholdProcess | undefined;
  let dataDir: string | undefined;
  let work: string | undefined;

  beforeAll(async () => {
    const { stdout } = await run(AWS_CLI, ['--version'], { env: awsCliEnv() });
    if (!stdout.startsWith('aws-cli/2.')) throw new Error(`${AWS_CLI} is not AWS CLI v2: ${stdout}`);
    work = await mkdtemp(join(tmpdir(), 'cargohold-e2e-aws-cli-'));
    dataDir = await mkdtemp(join(tmpdir(), 'cargohold-e2e-aws-cli-data-'));
    server = await spawnCargohold({ dataDir, logLevel: process.env['E2E_LOG_LEVEL'] ?? 'error', config: { identities: IDENTITIES } });
  });

  afterAll(async () => {
    await server?.stop();
    await Promise.all([dataDir, work].filter((dir) => dir !== undefined).map((dir) => rm(dir, { recursive: true, force: true })));
  });

  const started = (): CargoholdProcess => {
    if (!server) throw new Error('the AWS CLI suite has not started its server (useAwsCliServer registers a beforeAll)');
    return server;
  };
  const cli = (args: string[], options: Partial<AwsCliOptions> = {}) => awsCli(args, { endpoint: started().url, ...options });
  const ecr = async <T = Record<string, unknown>>(args: string[], options: Partial<AwsCliOptions> = {}): Promise<T> => {
    const { stdout } = await cli(['ecr', ...args], options);
    return (stdout.trim() === '' ? {} : JSON.parse(stdout)) as T;
  };
  return {
    get server() {
      return started();
    },
    get host() {
      return new URL(started().url).host;
    },
    get work() {
      if (!work) throw new Error('the AWS CLI suite has not started');
      return work;
    },
    cli,
    ecr,
    async ecrError(args, options = {}) {
      try {
        const { stdout } = await cli(['ecr', ...args], options);
        throw new Error(`aws ecr ${args.join(' ')} succeeded but should have failed:\n${stdout}`);
      } catch (error) {
        if (!(error instanceof CommandFailedError)) throw error;
        return error;
      }
    },
    async loginPassword() {
      return (await cli(['ecr', 'get-login-password'])).stdout.trim();
    },
  };
}

export function expectServiceError(error: CommandFailedError, exception: string, operation: string): void {
  expect({ exitCode: error.exitCode, stderr: error.stderr.trim() }).toEqual({
    exitCode: 254,
    stderr: expect.stringMatching(new RegExp(`^An error occurred \\(${exception}\\) when calling the ${operation} operation: \\S`)),
  });
}

/** DOCKER_* variables from the private dockerd's environment. */
export function dockerEnv(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(env).filter(([key]) => key.startsWith('DOCKER_')));
}

/** Builds a one-layer image with `content`, `docker load`s it as cargohold-e2e/<name>:latest. */
export async function loadImage(dockerd: Dockerd, work: string, name: string, content: string): Promise<RunResult> {
  const file = join(work, `${name}.tar`);
  await buildDockerArchive(file, { repoTags: [`cargohold-e2e/${name}:latest`], layers: [{ files: [{ path: 'content.txt', content }] }] });
  return dockerd.docker(['load', '--input', file]);
}

/** The manifest digest from `docker push` output: `v1: digest: sha256:… size: 123`. */
export function pushedDigest(output: string): string {
  const match = /digest: (sha256:[0-9a-f]{64}) size: \d+/.exec(output);
  if (!match?.[1]) throw new Error(`no digest in docker push output:\n${output}`);
  return match[1];
}
