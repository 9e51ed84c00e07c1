import { randomBytes, randomUUID } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { scheduledEvent } from '@cargohold/lambda-kit/testing';
import { bundleFunctions, repositoryRoot } from './bundles';
import { startEmulators } from './emulators';
import { startEventBridgeSink } from './eventbridge-sink';
import { startHttpApi } from './http-api';
import { startLambdaFunction, type LambdaFunction } from './lambda-host';
import { startQueueSource } from './queue-source';
import { startStreamSource } from './stream-source';
import {
  ACCOUNT_ID,
  CACHE_SYNCER_BATCH_SIZE,
  dataLayout,
  FUNCTIONS,
  functionEnv,
  GC_EVERY_MS,
  LIFECYCLE_BATCH_SIZE,
  LIFECYCLE_EVERY_MS,
  PURGE_EVERY_MS,
  REGION,
  replicaStack,
  STAGE,
  WORKER_BATCH_SIZE,
  type Endpoints,
  type FunctionName,
  type FunctionSpec,
} from './topology';
import { startUploadGateway } from './upload-gateway';

export interface AwsLocalOptions {
  readonly dataDir: string;
  readonly host?: string;
  /** The HTTP API's port (0: a free one). */
  readonly port: number;
  /** The upload gateway's port; default port + 1. */
  readonly gatewayPort?: number;
  /** Default true: run the upload gateway (serverless.yml's stage parameter turns it off on AWS). */
  readonly gateway?: boolean;
  readonly logLevel?: string;
  /** How often the lifecycle schedule runs (default daily, as serverless.yml schedules it). */
  readonly lifecycleEveryMs?: number;
  /**
   * Another region's stack beside this one (`us-west-2`): its own table and bucket on the emulators and its
   * own HTTP API (the API functions with that region's storage), which the replicator writes into as a
   * deployment's REPLICA_TABLES names another region's stack.
   */
  readonly replicaRegion?: string;
  /** The replica stack's HTTP API port; default port + 2 (0: a free one). */
  readonly replicaPort?: number;
  /** How often the gc function runs (default daily, as serverless.yml schedules it). */
  readonly gcEveryMs?: number;
  /** The gc function's grace period (default 86400 s, as deployed). */
  readonly gcGraceSeconds?: number;
  /** Called with each step as it completes (the CLI prints them). */
  readonly progress?: (message: string) => void;
}

export interface AwsLocal {
  /** The HTTP API (API Gateway → distribution-api / ecr-api). */
  readonly url: string;
  readonly gatewayUrl?: string;
  /** The replica region's HTTP API, with --replica-region. */
  readonly replica?: { readonly region: string; readonly url: string; readonly table: string; readonly bucket: string };
  readonly endpoints: Endpoints;
  readonly dataDir: string;
  readonly logDir: string;
  readonly eventsFile: string;
  stop(): Promise<void>;
}

/**
 * serverless.yml's topology on this machine: emulators for S3, DynamoDB (with its stream) and SQS; the real
 * handlers, bundled as serverless-esbuild bundles them, each in its own process; API Gateway's HTTP API in
 * front of the two API functions; the upload gateway; the stream and queue event sources; the purge, the
 * lifecycle schedule and garbage collection on their schedules. Everything keeps its state under `dataDir`.
 * Stops in reverse order of start.
 */
export async function runAwsLocal(options: AwsLocalOptions): Promise<AwsLocal> {
  const dataDir = resolve(options.dataDir);
  const layout = dataLayout(dataDir);
  const host = options.host ?? '127.0.0.1';
  const logLevel = options.logLevel ?? 'info';
  const progress = options.progress ?? (() => undefined);
  const root = repositoryRoot();
  await mkdir(layout.logs, { recursive: true });
  const stops: (() => Promise<void>)[] = [];
  const stop = async () => {
    for (const step of stops.reverse()) await step().catch((error: unknown) => console.error('aws-local stop:', error));
  };
  try {
    const bundling = bundleFunctions(root, layout.bundles);
    const replica = options.replicaRegion === undefined ? undefined : replicaStack(options.replicaRegion);
    const emulators = await startEmulators(layout, replica);
    stops.push(() => emulators.stop());
    progress(`S3 (s3rver) ${emulators.s3.endpoint}, DynamoDB Local ${emulators.dynamodb.endpoint}, SQS ${emulators.sqs.endpoint}`);
    const sink = await startEventBridgeSink({ eventsFile: layout.events, sqs: emulators.sqs.client, ecrEventsQueueUrl: emulators.queueUrls.ecrEvents });
    stops.push(() => sink.stop());
    const endpoints: Endpoints = { s3: emulators.s3.endpoint, dynamodb: emulators.dynamodb.endpoint, sqs: emulators.sqs.endpoint, eventbridge: sink.endpoint };
    const tokenKeyBase64 = await tokenKey(layout.tokenKey);
    const identitiesJson = process.env['CARGOHOLD_IDENTITIES_JSON'];
    const pullThroughInsecureUpstreams = process.env['CARGOHOLD_PULL_THROUGH_INSECURE_UPSTREAMS'];

    const wantGateway = options.gateway ?? true;
    const gatewayPort = options.gatewayPort ?? (options.port === 0 ? 0 : options.port + 1);
    let gatewayUrl: string | undefined;
    if (wantGateway) {
      const gateway = await startUploadGateway({
        root,
        host,
        port: gatewayPort,
        dataDir: layout.gateway,
        endpoints,
        tokenKeyBase64,
        ...(identitiesJson !== undefined ? { identitiesJson } : {}),
        ...(pullThroughInsecureUpstreams ? { pullThroughInsecureUpstreams } : {}),
        logFile: join(layout.logs, 'upload-gateway.log'),
        logLevel,
      });
      stops.push(() => gateway.stop());
      gatewayUrl = gateway.url;
      progress(`upload gateway ${gateway.url}`);
    }

    const bundles = await bundling;
    const envInput = {
      endpoints,
      queueUrls: emulators.queueUrls,
      tokenKeyBase64,
      ...(identitiesJson !== undefined ? { identitiesJson } : {}),
      ...(pullThroughInsecureUpstreams !== undefined ? { pullThroughInsecureUpstreams } : {}),
      ...(options.gcGraceSeconds !== undefined ? { gcGraceSeconds: options.gcGraceSeconds } : {}),
      ...(replica ? { replica } : {}),
      logLevel,
    };
    const startFunction = async (spec: FunctionSpec, env: Record<string, string>, logName: string) => {
      const started = await startLambdaFunction({
        name: spec.name,
        runtime: bundles.runtime,
        bundle: bundles.functions[spec.name].file,
        exportName: bundles.functions[spec.name].exportName,
        env,
        logFile: join(layout.logs, `${logName}.log`),
      });
      stops.push(() => started.stop());
      if (started.initError !== undefined) throw new Error(`${logName} failed its cold start:\n${started.initError}`);
      return started;
    };
    const functions = {} as Record<FunctionName, LambdaFunction>;
    for (const spec of Object.values(FUNCTIONS)) {
      const env = functionEnv(spec, { ...envInput, ...(gatewayUrl !== undefined ? { uploadGatewayUrl: gatewayUrl } : {}) });
      functions[spec.name] = await startFunction(spec, env, spec.name);
    }
    progress(`functions ${Object.keys(functions).join(', ')} (bundles in ${layout.bundles})`);

    const streamSource = await startStreamSource({
      endpoint: endpoints.dynamodb,
      streamArn: emulators.streamArn,
      function: functions['stream-forwarder'],
      timeoutMs: FUNCTIONS['stream-forwarder'].timeoutSeconds * 1000,
      sqs: emulators.sqs.client,
      deadLetterQueueUrl: emulators.queueUrls.streamDlq,
      checkpointFile: layout.streamCheckpoints,
    });
    stops.push(() => streamSource.stop());
    // A queue feeding a function, as the stack's SQS event source mappings do.
    const consume = async (queueUrl: string, name: FunctionName, batchSize: number) => {
      const source = await startQueueSource({
        sqs: emulators.sqs.client,
        queueUrl,
        function: functions[name],
        timeoutMs: FUNCTIONS[name].timeoutSeconds * 1000,
        batchSize,
      });
      stops.push(() => source.stop());
    };
    await consume(emulators.queueUrls.worker, 'scanner', WORKER_BATCH_SIZE);
    await consume(emulators.queueUrls.replicator, 'replicator', WORKER_BATCH_SIZE);
    await consume(emulators.queueUrls.cacheSyncer, 'cache-syncer', CACHE_SYNCER_BATCH_SIZE);
    const purge = setInterval(() => void functions.purge.invoke(purgeEvent(), FUNCTIONS.purge.timeoutSeconds * 1000), PURGE_EVERY_MS);
    stops.push(async () => clearInterval(purge));
    await consume(emulators.queueUrls.lifecycleSweep, 'lifecycle-sweeper', LIFECYCLE_BATCH_SIZE);
    const lifecycle = setInterval(
      () => void functions['lifecycle-schedule'].invoke(scheduleEvent('lifecycle-schedule'), FUNCTIONS['lifecycle-schedule'].timeoutSeconds * 1000),
      options.lifecycleEveryMs ?? LIFECYCLE_EVERY_MS,
    );
    stops.push(async () => clearInterval(lifecycle));
    const gc = setInterval(() => void functions.gc.invoke(scheduleEvent('gc'), FUNCTIONS.gc.timeoutSeconds * 1000), options.gcEveryMs ?? GC_EVERY_MS);
    stops.push(async () => clearInterval(gc));

    const api = await startHttpApi({ host, port: options.port, functions: { distribution: functions['distribution-api'], ecr: functions['ecr-api'] } });
    stops.push(() => api.stop());
    let replicaApi: AwsLocal['replica'];
    if (replica) {
      // The other region's stack as far as a client sees it: its API functions over its table and bucket
      // (no upload gateway: layers over Lambda's cap are not pushed there, they are replicated).
      const [distribution, ecr] = await Promise.all(
        (['distribution-api', 'ecr-api'] as const).map((name) =>
          startFunction(FUNCTIONS[name], functionEnv(FUNCTIONS[name], { ...envInput, asReplica: true }), `${name}-${replica.region}`),
        ),
      );
      const port = options.replicaPort ?? (options.port === 0 ? 0 : options.port + 2);
      const started = await startHttpApi({ host, port, functions: { distribution: distribution as LambdaFunction, ecr: ecr as LambdaFunction } });
      stops.push(() => started.stop());
      replicaApi = { region: replica.region, url: started.url, table: replica.table, bucket: replica.bucket };
      progress(`${replica.region} stack: table ${replica.table}, bucket ${replica.bucket}, HTTP API ${started.url}`);
    }
    return {
      url: api.url,
      ...(gatewayUrl !== undefined ? { gatewayUrl } : {}),
      ...(replicaApi ? { replica: replicaApi } : {}),
      endpoints,
      dataDir,
      logDir: layout.logs,
      eventsFile: layout.events,
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

/** CARGOHOLD_TOKEN_KEY_BASE64 if set, else a key generated once and kept under the data dir (tokens survive restarts). */
async function tokenKey(file: string): Promise<string> {
  const fromEnv = process.env['CARGOHOLD_TOKEN_KEY_BASE64'];
  if (fromEnv) return fromEnv;
  try {
    return (await readFile(file, 'utf8')).trim();
  } catch {
    const key = randomBytes(32).toString('base64');
    await writeFile(file, `${key}\n`, { mode: 0o600 });
    return key;
  }
}

/** The EventBridge scheduled event the purge's `rate(15 minutes)` rule sends, stamped now. */
function purgeEvent() {
  return scheduleEvent('purge');
}

/** A scheduled event for `name`'s schedule, stamped now. */
function scheduleEvent(name: string) {
  const rule = `arn:aws:events:${REGION}:${ACCOUNT_ID}:rule/cargohold-${STAGE}-${name}`;
  return { ...scheduledEvent(), id: randomUUID(), account: ACCOUNT_ID, resources: [rule], time: new Date().toISOString().replace(/\.\d+Z$/, 'Z') };
}
