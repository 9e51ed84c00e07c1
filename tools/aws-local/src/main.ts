import { parseArgs } from 'node:util';
import { runAwsLocal, type AwsLocal } from './aws-local';
import { ACCOUNT_ID, REGION } from './topology';

const USAGE = `Usage: npm run aws:local -- [--port P] [--data-dir D] [--gateway-port P2 | --no-gateway] [--replica-region R [--replica-port P3]]

The serverless.yml deployment on this machine, without an AWS account: s3rver, DynamoDB Local
(with its stream) and an SQS emulator, kept under D; the real Lambda handlers behind an
API Gateway HTTP API on P (payload 2.0, 10 MB / 6 MB payloads, 29 s timeout); the upload
gateway on P2 (default P+1); the stream forwarder, the scanner's and the replicator's queues, and the
schedules of the purge, the lifecycle sweeper and garbage collection. EventBridge has no emulator: its events are appended to D/events.jsonl.

Options:
  --port P           the HTTP API's port (default 5000)
  --data-dir D       where all state lives (default ./.cargohold-aws)
  --host HOST        address to listen on (default 127.0.0.1)
  --gateway-port P2  the upload gateway's port (default P+1)
  --no-gateway       no upload gateway: pushes of layers over Lambda's cap get a 413
  --log-level LEVEL  the functions' and the gateway's LOG_LEVEL (default info; logs in D/logs)
  --lifecycle-every S  run the lifecycle schedule every S seconds (default 86400, as deployed)
  --replica-region R another region's stack beside this one (e.g. us-west-2): its own table and bucket
                     on the emulators and its own HTTP API; the replicator writes replicas for R there
  --replica-port P3  the replica region's HTTP API port (default P+2)
  --gc-every S       run garbage collection every S seconds (default 86400, as deployed)
  --gc-grace S       garbage collection's grace period in seconds (default 86400, as deployed; 0 allowed)
  -h, --help         show this help
`;

// The SDK warns once per process that its 2027 releases need Node 22; this tool supports Node 20 like the
// embedded server, and the warning would bury the banner. (The functions' own logs still carry it.)
process.env['AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED'] ??= 'true';

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      port: { type: 'string', default: '5000' },
      'data-dir': { type: 'string', default: '.cargohold-aws' },
      host: { type: 'string', default: '127.0.0.1' },
      'gateway-port': { type: 'string' },
      'no-gateway': { type: 'boolean', default: false },
      'log-level': { type: 'string', default: 'info' },
      'lifecycle-every': { type: 'string' },
      'replica-region': { type: 'string' },
      'replica-port': { type: 'string' },
      'gc-every': { type: 'string' },
      'gc-grace': { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    process.stdout.write(USAGE);
    return;
  }
  const port = Number(values.port);
  const gatewayPort = values['gateway-port'] === undefined ? undefined : Number(values['gateway-port']);
  if (!Number.isInteger(port) || (gatewayPort !== undefined && !Number.isInteger(gatewayPort))) throw new Error(`ports must be integers\n\n${USAGE}`);
  const lifecycleEvery = values['lifecycle-every'] === undefined ? undefined : Number(values['lifecycle-every']);
  if (lifecycleEvery !== undefined && !(Number.isInteger(lifecycleEvery) && lifecycleEvery > 0))
    throw new Error(`--lifecycle-every takes whole seconds\n\n${USAGE}`);
  const gcEvery = values['gc-every'] === undefined ? undefined : Number(values['gc-every']);
  if (gcEvery !== undefined && !(Number.isInteger(gcEvery) && gcEvery > 0)) throw new Error(`--gc-every takes whole seconds\n\n${USAGE}`);
  const gcGrace = values['gc-grace'] === undefined ? undefined : Number(values['gc-grace']);
  if (gcGrace !== undefined && !(Number.isInteger(gcGrace) && gcGrace >= 0)) throw new Error(`--gc-grace takes whole seconds\n\n${USAGE}`);

  const replicaRegion = values['replica-region'];
  if (replicaRegion !== undefined && (!/^[a-z]{2}(-[a-z]+)+-\d$/.test(replicaRegion) || replicaRegion === REGION))
    throw new Error(`--replica-region takes a region name other than ${REGION}\n\n${USAGE}`);
  const replicaPort = values['replica-port'] === undefined ? undefined : Number(values['replica-port']);
  if (replicaPort !== undefined && !Number.isInteger(replicaPort)) throw new Error(`ports must be integers\n\n${USAGE}`);

  const started = Date.now();
  const local = await runAwsLocal({
    dataDir: values['data-dir'],
    host: values.host,
    port,
    ...(gatewayPort !== undefined ? { gatewayPort } : {}),
    gateway: !values['no-gateway'],
    logLevel: values['log-level'],
    ...(lifecycleEvery !== undefined ? { lifecycleEveryMs: lifecycleEvery * 1000 } : {}),
    ...(replicaRegion !== undefined ? { replicaRegion } : {}),
    ...(replicaPort !== undefined ? { replicaPort } : {}),
    ...(gcEvery !== undefined ? { gcEveryMs: gcEvery * 1000 } : {}),
    ...(gcGrace !== undefined ? { gcGraceSeconds: gcGrace } : {}),
    progress: (message) => console.log(`  started ${message}`),
  });
  printBanner(local, Date.now() - started);
  stopOnSignals(local);
}

function printBanner(local: AwsLocal, ms: number): void {
  const host = new URL(local.url).host;
  console.log(`
cargohold aws:local (serverless.yml, stage "local"), up in ${(ms / 1000).toFixed(1)} s
  Registry (API Gateway → Lambda): ${local.url}    images: ${host}/<repository>:<tag>
  Upload gateway (Fargate):        ${local.gatewayUrl ?? 'off (--no-gateway): layers over ~4.6 MB get 413'}
  Credentials: access key test, secret test (account ${ACCOUNT_ID}, ${REGION})
    aws ecr get-login-password --endpoint-url ${local.url} | docker login --username AWS --password-stdin ${host}
    aws ecr describe-repositories --endpoint-url ${local.url}
  ${local.replica ? `Replica stack ${local.replica.region}:    ${local.replica.url}    (aws … --region ${local.replica.region} --endpoint-url ${local.replica.url})\n  ` : ''}Data: ${local.dataDir}   Logs: ${local.logDir}   Events (EventBridge stand-in): ${local.eventsFile}
Ready. Ctrl-C stops everything.`);
}

function stopOnSignals(local: AwsLocal): void {
  let stopping = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (stopping) {
      console.error(`${signal} again: exiting without waiting`);
      process.exit(130);
    }
    stopping = true;
    console.log(`\n${signal}: stopping (functions, gateway, emulators)…`);
    local.stop().then(
      () => {
        console.log('stopped.');
        process.exit(0);
      },
      (error: unknown) => {
        console.error(error);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
}

main().catch((error: unknown) => {
  console.error(`aws:local failed: ${(error as Error)?.message ?? error}`);
  process.exit(1);
});
