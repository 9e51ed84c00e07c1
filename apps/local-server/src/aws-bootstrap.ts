import { AwsClients, bootstrapAwsStorage, resolveRegion, type BootstrapStep } from '@cargohold/platform-aws';

export interface BootstrapOptions {
  readonly bucket: string;
  readonly table: string;
  /** One endpoint for both services (LocalStack's edge port); else the SDK's AWS_ENDPOINT_URL_* variables. */
  readonly endpointUrl?: string;
  readonly region?: string;
}

/**
 * `cargohold aws bootstrap`: the bucket and the table of `serve --backend aws`, created from the stack's
 * own definitions. Returns the report, one line per step, for stdout.
 */
export async function runAwsBootstrap(options: BootstrapOptions, env: NodeJS.ProcessEnv = process.env): Promise<string> {
  const region = options.region ?? resolveRegion(env);
  const endpoint = options.endpointUrl;
  const clients = new AwsClients({
    ...(region ? { region } : {}),
    // An emulator or LocalStack behind one endpoint serves buckets by path, not by virtual host.
    s3ForcePathStyle: endpoint !== undefined || env['S3_FORCE_PATH_STYLE'] === 'true',
    ...(endpoint ? { endpoints: { s3: endpoint, dynamodb: endpoint } } : {}),
  });
  try {
    const steps = await bootstrapAwsStorage(clients, options);
    return steps.map(describeStep).join('') + `ready: cargohold serve --backend aws --bucket ${options.bucket} --table ${options.table}\n`;
  } finally {
    clients.destroy();
  }
}

function describeStep(step: BootstrapStep): string {
  return `${step.what}: ${step.outcome}${step.detail ? ` (${step.detail})` : ''}\n`;
}
