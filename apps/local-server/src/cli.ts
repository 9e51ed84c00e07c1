import { parseArgs } from 'node:util';

export const USAGE = `Usage: cargohold serve [options]
       cargohold vulndb import PATH [--data-dir DIR]
       cargohold fsck [--repair] [--data-dir DIR]
       cargohold aws bootstrap --bucket NAME --table NAME [--endpoint-url URL] [--region REGION]
       cargohold --version
       cargohold gc [--dry-run] [--grace DURATION] [--data-dir DIR] [--config FILE]

An Amazon ECR-compatible container registry in one process: OCI Distribution on /v2/ and
the ECR API (AWS JSON 1.1, SigV4) on the same port; blobs on the filesystem and metadata
in SQLite under --data-dir. Default credentials: access key test / secret test
(account 000000000000, region us-east-1); docker login with aws ecr get-login-password.

Options:
  --host HOST          address to listen on (default 127.0.0.1)
  --port PORT          port to listen on (default 5000; 0 picks a free one)
  --data-dir DIR       where blobs and metadata live (default ./.cargohold)
  --config FILE        JSON config file (account, region, limits)
  --log-level LEVEL    trace|debug|info|warn|error (default info)
  --allow-anonymous    let every /v2/ request through without a token (throwaway use only)
  --max-request-bytes N
                       refuse request bodies over N bytes with 413 SIZE_INVALID, as Lambda does;
                       uploads then advertise OCI-Chunk-Min-Length (5 MiB, or N if smaller)
  --backend KIND       embedded (default: filesystem + SQLite) or aws (S3 + DynamoDB; endpoints
                       and credentials from the AWS SDK's standard variables, e.g.
                       AWS_ENDPOINT_URL_S3, AWS_ENDPOINT_URL_DYNAMODB; the region from AWS_REGION,
                       AWS_DEFAULT_REGION or the config's "region"; S3_FORCE_PATH_STYLE=true
                       for emulators). The token key still lives under --data-dir.
  --bucket NAME        S3 bucket for blobs (--backend aws; or "aws.bucket" in the config file)
  --table NAME         DynamoDB table for metadata (--backend aws; or "aws.table" in the config)
  --role ROLE          all (default) or upload-gateway: serve only upload sessions, each by the
                       capability in its Location (the long-lived server beside the Lambdas that
                       takes layer bodies of any size); no ECR API, no background work
  --upload-gateway-url URL
                       started uploads continue on the upload gateway at URL (scheme://host[:port]),
                       with a capability for that one upload in their Location
  --shutdown-grace SECONDS
                       on SIGINT/SIGTERM, how long in-flight requests may finish (default 30);
                       then their connections are closed: a chunked upload keeps every chunk
                       acknowledged before and resumes; a body cut off mid-way is discarded
  --lifecycle-interval SECONDS
                       how often every repository with a lifecycle policy is swept (default
                       86400, or "lifecycle.sweepIntervalSeconds" in the config file)
  -h, --help           show this help

Environment: CARGOHOLD_TOKEN_KEY_BASE64 (the token-signing key, base64 of 32 bytes or more;
instead of <data-dir>/token.key) and CARGOHOLD_IDENTITIES_JSON (the config file's "identities"),
so an upload gateway signs and checks with the same key and identities as the deployment.

vulndb import PATH loads OSV vulnerability records (a .json file, a folder of them, or the
per-ecosystem .zip archives osv.dev publishes) into the scanner's database under --data-dir.

fsck scrubs the embedded store under --data-dir: hashes every blob against its digest and checks
that every manifest and blob link names good bytes of the recorded size (progress on a terminal),
then prints what it found; exit code 0 when clean, 1 when problems were found. --repair moves
corrupt blobs into <data-dir>/corrupt/, so they read as unknown and pushing them again heals them.
Safe to run beside a running server.

aws bootstrap creates the S3 bucket and the DynamoDB table that serve --backend aws needs, as
the serverless stack declares them (the table's keys, indexes and stream; the bucket's encryption,
public access block and multipart clean-up), and leaves what already exists alone. Credentials
and endpoints come from the AWS SDK's standard variables; --endpoint-url points both services at
one endpoint (LocalStack), and path-style S3 URLs are used then. Settings an endpoint does not
implement (emulators) are listed as unsupported.
gc removes, from the embedded store under --data-dir, blob bytes that no manifest or link in any
repository needs, links no manifest references, and expired upload sessions, once older than the
grace period (--grace 24h by default, or the config's gc.graceSeconds; s, m, h or d). It prints each
blob as it goes (progress on a terminal) and a summary; --dry-run prints what would go and changes
nothing. Safe to run beside a running server, which also runs it every gc.intervalSeconds.
`;

export type Command =
  | { kind: 'help' }
  | {
      kind: 'serve';
      host: string;
      port: number;
      dataDir: string;
      configFile?: string;
      logLevel: string;
      allowAnonymous: boolean;
      maxRequestBytes?: number;
      backend?: 'embedded' | 'aws';
      bucket?: string;
      table?: string;
      role?: 'all' | 'upload-gateway';
      uploadGatewayUrl?: string;
      shutdownGraceSeconds?: number;
      lifecycleIntervalSeconds?: number;
    }
  | { kind: 'vulndb-import'; path: string; dataDir: string }
  | { kind: 'fsck'; dataDir: string; repair: boolean }
  | { kind: 'aws-bootstrap'; bucket: string; table: string; endpointUrl?: string; region?: string }
  | { kind: 'version' }
  | { kind: 'gc'; dataDir: string; dryRun: boolean; graceMs?: number; configFile?: string }
  | { kind: 'error'; message: string };

const LEVELS = new Set(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent']);

export function parseCommand(argv: readonly string[]): Command {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      allowPositionals: true,
      strict: true,
      options: {
        host: { type: 'string', default: '127.0.0.1' },
        port: { type: 'string', default: '5000' },
        'data-dir': { type: 'string', default: './.cargohold' },
        config: { type: 'string' },
        'log-level': { type: 'string', default: 'info' },
        help: { type: 'boolean', short: 'h', default: false },
        'allow-anonymous': { type: 'boolean', default: false },
        'max-request-bytes': { type: 'string' },
        backend: { type: 'string' },
        bucket: { type: 'string' },
        table: { type: 'string' },
        role: { type: 'string' },
        'upload-gateway-url': { type: 'string' },
        repair: { type: 'boolean', default: false },
        'dry-run': { type: 'boolean', default: false },
        grace: { type: 'string' },
        'shutdown-grace': { type: 'string' },
        'endpoint-url': { type: 'string' },
        region: { type: 'string' },
        version: { type: 'boolean', default: false },
        'lifecycle-interval': { type: 'string' },
      },
    });
  } catch (error) {
    return { kind: 'error', message: (error as Error).message };
  }
  const { values, positionals } = parsed;
  if (values.help || positionals[0] === 'help') return { kind: 'help' };
  if (positionals[0] === 'vulndb') {
    if (positionals[1] !== 'import' || positionals.length !== 3) return { kind: 'error', message: 'usage: cargohold vulndb import PATH' };
    return { kind: 'vulndb-import', path: positionals[2] as string, dataDir: values['data-dir'] };
  }
  if (positionals[0] === 'fsck') {
    if (positionals.length !== 1) return { kind: 'error', message: 'usage: cargohold fsck [--repair] [--data-dir DIR]' };
    return { kind: 'fsck', dataDir: values['data-dir'], repair: values.repair };
  }
  if (values.version) return { kind: 'version' };
  if (positionals[0] === 'aws') return parseAwsCommand(positionals, values);
  if (positionals[0] === 'gc') return parseGc(positionals, values);
  if (values['dry-run'] || values.grace !== undefined) return { kind: 'error', message: '--dry-run and --grace are options of gc' };
  if (values.repair) return { kind: 'error', message: '--repair is an option of fsck' };
  if (values['endpoint-url'] !== undefined || values.region !== undefined) {
    return { kind: 'error', message: '--endpoint-url and --region are options of aws bootstrap' };
  }
  if (positionals.length !== 1 || positionals[0] !== 'serve') {
    return { kind: 'error', message: positionals.length === 0 ? 'missing command' : `unknown command: ${positionals.join(' ')}` };
  }
  const port = Number(values.port);
  if (!/^\d{1,5}$/.test(values.port) || port > 65535) return { kind: 'error', message: `invalid --port ${values.port}` };
  if (!LEVELS.has(values['log-level'])) return { kind: 'error', message: `invalid --log-level ${values['log-level']}` };
  const maxRequestBytes = values['max-request-bytes'];
  if (maxRequestBytes !== undefined && (!/^\d{1,15}$/.test(maxRequestBytes) || Number(maxRequestBytes) < 1024)) {
    return { kind: 'error', message: `invalid --max-request-bytes ${maxRequestBytes} (at least 1024)` };
  }
  const { backend } = values;
  if (backend !== undefined && backend !== 'embedded' && backend !== 'aws') return { kind: 'error', message: `invalid --backend ${backend}` };
  const { role } = values;
  if (role !== undefined && role !== 'all' && role !== 'upload-gateway') return { kind: 'error', message: `invalid --role ${role}` };
  const gatewayUrl = values['upload-gateway-url'];
  if (gatewayUrl !== undefined && !isOrigin(gatewayUrl)) {
    return { kind: 'error', message: `invalid --upload-gateway-url ${gatewayUrl} (http(s)://host[:port], no path)` };
  }
  const grace = values['shutdown-grace'];
  if (grace !== undefined && (!/^\d{1,6}(\.\d+)?$/.test(grace) || Number(grace) > 86_400)) {
    return { kind: 'error', message: `invalid --shutdown-grace ${grace} (seconds, at most 86400)` };
  }
  const interval = values['lifecycle-interval'];
  if (interval !== undefined && (!/^\d{1,8}$/.test(interval) || Number(interval) < 1 || Number(interval) > 31_536_000)) {
    return { kind: 'error', message: `invalid --lifecycle-interval ${interval} (whole seconds, 1 to 31536000)` };
  }
  if (gatewayUrl !== undefined && role === 'upload-gateway')
    return { kind: 'error', message: '--upload-gateway-url is for the server that starts uploads, not the gateway' };
  return {
    kind: 'serve',
    host: values.host,
    port,
    dataDir: values['data-dir'],
    logLevel: values['log-level'],
    allowAnonymous: values['allow-anonymous'],
    ...(values.config !== undefined ? { configFile: values.config } : {}),
    ...(maxRequestBytes !== undefined ? { maxRequestBytes: Number(maxRequestBytes) } : {}),
    ...(backend !== undefined ? { backend } : {}),
    ...(values.bucket !== undefined ? { bucket: values.bucket } : {}),
    ...(values.table !== undefined ? { table: values.table } : {}),
    ...(role !== undefined ? { role } : {}),
    ...(gatewayUrl !== undefined ? { uploadGatewayUrl: gatewayUrl.replace(/\/+$/, '') } : {}),
    ...(grace !== undefined ? { shutdownGraceSeconds: Number(grace) } : {}),
    ...(interval !== undefined ? { lifecycleIntervalSeconds: Number(interval) } : {}),
  };
}

const BOOTSTRAP_USAGE = 'usage: cargohold aws bootstrap --bucket NAME --table NAME [--endpoint-url URL] [--region REGION]';

function parseAwsCommand(positionals: readonly string[], values: { bucket?: string; table?: string; 'endpoint-url'?: string; region?: string }): Command {
  if (positionals.length !== 2 || positionals[1] !== 'bootstrap') return { kind: 'error', message: BOOTSTRAP_USAGE };
  const { bucket, table, region } = values;
  const endpointUrl = values['endpoint-url'];
  if (!bucket || !table) return { kind: 'error', message: `${BOOTSTRAP_USAGE} (both --bucket and --table are needed)` };
  if (endpointUrl !== undefined && !/^https?:\/\/[^/]+\/?$/.test(endpointUrl)) {
    return { kind: 'error', message: `invalid --endpoint-url ${endpointUrl} (http(s)://host[:port])` };
  }
  if (region !== undefined && !/^[a-z]{2}(-[a-z]+)+-\d+$/.test(region)) return { kind: 'error', message: `invalid --region ${region}` };
  return {
    kind: 'aws-bootstrap',
    bucket,
    table,
    ...(endpointUrl !== undefined ? { endpointUrl: endpointUrl.replace(/\/$/, '') } : {}),
    ...(region !== undefined ? { region } : {}),
  };
}

/** `http(s)://host[:port]` with nothing after it but an optional `/`. */
function isOrigin(text: string): boolean {
  try {
    const url = new URL(text);
    return (
      (url.protocol === 'http:' || url.protocol === 'https:') &&
      url.pathname === '/' &&
      !url.search &&
      !url.hash &&
      !url.username &&
      `${url.origin}` === text.replace(/\/+$/, '')
    );
  } catch {
    return false;
  }
}

function parseGc(positionals: readonly string[], values: { 'data-dir': string; 'dry-run': boolean; grace?: string; config?: string }): Command {
  if (positionals.length !== 1) return { kind: 'error', message: 'usage: cargohold gc [--dry-run] [--grace DURATION] [--data-dir DIR]' };
  const graceMs = values.grace === undefined ? undefined : parseDuration(values.grace);
  if (values.grace !== undefined && graceMs === undefined) return { kind: 'error', message: `invalid --grace ${values.grace} (e.g. 24h, 90m, 30s, 0)` };
  return {
    kind: 'gc',
    dataDir: values['data-dir'],
    dryRun: values['dry-run'],
    ...(graceMs !== undefined ? { graceMs } : {}),
    ...(values.config !== undefined ? { configFile: values.config } : {}),
  };
}

const UNITS: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** `24h`, `90m`, `30s`, `2d`, or plain seconds; undefined when it is none of these. */
export function parseDuration(text: string): number | undefined {
  const match = /^(\d{1,9})([smhd]?)$/.exec(text);
  if (!match) return undefined;
  return Number(match[1]) * (UNITS[match[2] || 's'] as number);
}
