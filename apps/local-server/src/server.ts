import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createDistributionApi, gatewayUploads, type RequestLimits } from '@cargohold/http-distribution';
import { createEcrApi, isEcrApiRequest } from '@cargohold/http-ecr';
import type { HttpHandler } from '@cargohold/lambda-kit';
import { formatRegistryKey, registryFromHost } from '@cargohold/oci';
import { createRegistry } from '@cargohold/registry-core';
import type { RegistryStorage, ReplicationStatusStore, RepositoryCreationTemplateStore } from '@cargohold/storage-ports';
import pino, { type Logger } from 'pino';
import { loadConfigFile, type ConfigFile } from './config';
import { createAuth, loadTokenKey } from './deps.auth';
import { awsSecretStore, openAwsStorageChecked } from './deps.aws';
import type { LocalStorage } from './deps.local';
import { startWorkers, type Workers } from './deps.workers';
import { createPullThrough, embeddedSecrets } from './deps.pull-through';
import { startGcTimer } from './gc-timer';
import { DEFAULT_SWEEP_AFTER_PUT_SECONDS, DEFAULT_SWEEP_INTERVAL_SECONDS, startLifecycleTimer, type LifecycleTimer } from './deps.lifecycle';
import { connectionSettings, refuseBeyond } from './connections';
import { consoleFiles, defaultConsoleDir } from './console-files';
import { healthEndpoints } from './health';
import { createMetrics } from './metrics';
import { nodeListener } from './node-http';

export interface ServerOptions {
  readonly host?: string;
  /** 0 picks a free port. */
  readonly port?: number;
  readonly dataDir: string;
  readonly configFile?: string;
  readonly config?: ConfigFile;
  readonly logLevel?: string;
  readonly logger?: Logger;
  /** `/v2/` without tokens: every request allowed (throwaway registries). The ECR API still needs SigV4. */
  readonly allowAnonymous?: boolean;
  /** Lambda's request cap on the embedded server: bodies over it answer 413 SIZE_INVALID. */
  readonly maxRequestBytes?: number;
  /** `embedded` (default): filesystem + SQLite under dataDir; `aws`: S3 + DynamoDB. */
  readonly backend?: 'embedded' | 'aws';
  readonly bucket?: string;
  readonly table?: string;
  /** `upload-gateway`: only upload sessions, by capability (see the distribution API's `role`). */
  readonly role?: 'all' | 'upload-gateway';
  /** Uploads started here continue on the upload gateway at this origin, by capability. */
  readonly uploadGatewayUrl?: string;
  /** The token-signing key (CARGOHOLD_TOKEN_KEY_BASE64); default: the key file under dataDir. */
  readonly tokenKey?: Buffer;
  /** `--shutdown-grace`: how long `close()` lets in-flight requests finish (default: the config's, else 30 s). */
  readonly shutdownGraceSeconds?: number;
  /** `--lifecycle-interval`: seconds between lifecycle sweeps of every repository with a policy (default: the config's, else 24 h). */
  readonly lifecycleIntervalSeconds?: number;
  /** The built web console served at `/console/` (default: beside the bundled CLI, see console-files.ts). */
  readonly consoleDir?: string;
  /**
   * The embedded store could not make a commit durable (an fsync failed). Upload sessions fail from then
   * on; the CLI stops the process here, so that SQLite recovers at restart from what is on disk.
   */
  readonly onStorageFailure?: (error: unknown) => void;
}

export interface RunningServer {
  readonly url: string;
  readonly port: number;
  readonly host: string;
  /**
   * Stops accepting, lets in-flight requests finish (up to `graceMs`, default the shutdown grace), then
   * closes their connections and the storage.
   */
  close(graceMs?: number): Promise<void>;
}

const PURGE_INTERVAL_MS = 5 * 60 * 1000;
/** How long close() waits, after the last connection closed, for handlers still undoing their writes. */
const WIND_DOWN_MS = 5_000;

async function windDown(settled: Promise<void>, ms: number, logger: Logger): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<'late'>((resolve) => (timer = setTimeout(() => resolve('late'), ms)));
  try {
    if ((await Promise.race([settled, late])) === 'late') logger.warn({ waitedMs: ms }, 'requests still running at shutdown; closing storage under them');
  } finally {
    clearTimeout(timer);
  }
}
/** What uploads ask for under a request cap: S3's minimum multipart part size, unless the cap is lower. */
const CHUNK_MIN_LENGTH = 5 * 1024 * 1024;

/**
 * The one place the backend is chosen; everything above storage is the same for both. The embedded
 * store also carries the outbox and scan state its in-process workers use; on AWS those live in the
 * stream-driven Lambdas instead.
 */
async function openStorage(
  options: ServerOptions,
  config: ConfigFile,
  logger: Logger,
): Promise<{ storage: RegistryStorage; templates: RepositoryCreationTemplateStore; replications: ReplicationStatusStore; local?: LocalStorage }> {
  if ((options.backend ?? 'embedded') === 'embedded') {
    // Loaded only here: `--backend aws` (the upload gateway's bundle) never needs the native SQLite module.
    const { openLocalStorage } = await import('./deps.local');
    const local = openLocalStorage(options.dataDir, {
      soleWriter: uploadsInOneProcess(options),
      onDurabilityLost: (error) => {
        logger.fatal({ err: error }, 'the metadata database could not sync a commit to disk: no upload is acknowledged from now on');
        options.onStorageFailure?.(error);
      },
    });
    return { storage: local, templates: local.templates, replications: local.replications, local };
  }
  const bucket = options.bucket ?? config.aws?.bucket;
  const table = options.table ?? config.aws?.table;
  if (!bucket || !table) throw new Error('--backend aws needs a bucket and a table (--bucket/--table or "aws" in the config file)');
  const storage = await openAwsStorageChecked({
    bucket,
    table,
    ...(config.aws?.bucketPrefix ? { bucketPrefix: config.aws.bucketPrefix } : {}),
    ...(config.region ? { region: config.region } : {}),
  });
  return { storage, templates: storage.templates, replications: storage.replications };
}

/** Without an upload gateway (this process being one, or one beside it), every request of an upload reaches this process. */
function uploadsInOneProcess(options: ServerOptions): boolean {
  return options.role !== 'upload-gateway' && !options.uploadGatewayUrl;
}

function requestLimits(maxRequestBytes: number | undefined): RequestLimits | undefined {
  return maxRequestBytes === undefined ? undefined : { maxRequestBytes, chunkMinLength: Math.min(CHUNK_MIN_LENGTH, maxRequestBytes) };
}

/**
 * Hosts every app in one process, over the embedded adapters (filesystem blobs + SQLite metadata) or,
 * with `backend: 'aws'`, over S3 + DynamoDB.
 */
export async function startServer(options: ServerOptions): Promise<RunningServer> {
  const config = options.config ?? loadConfigFile(options.configFile);
  const logger = options.logger ?? pino({ level: options.logLevel ?? 'info', base: { service: 'cargohold' } });
  const { storage, templates, replications, local } = await openStorage(options, config, logger);
  const metrics = createMetrics(local ? { gauges: local.gauges } : {});
  const limits = config.limits ?? {};
  let lifecycle: LifecycleTimer | undefined;
  // Backfills run on the workers, which need the registry: bound once they have started.
  const started: { workers?: Workers } = {};
  const backfillRunner = {
    available: local !== undefined && options.role !== 'upload-gateway',
    schedule: (key: string, id: string) => started.workers?.backfill(key, id),
  };
  const registry = createRegistry({
    storage,
    backfillRunner,
    templates,
    onLifecyclePolicyPut: (repo) => lifecycle?.soon(repo),
    replicationStatuses: replications,
    // Embedded storage is this process's own and, without a gateway, an upload's PATCH and PUT both reach it.
    uploadsInOneProcess: local !== undefined && uploadsInOneProcess(options),
    ...(local ? { scans: local.scans } : {}),
    settings: { createRepositoryOnPush: config.createRepositoryOnPush ?? true },
    onBestEffortFailure: (what, err) => {
      metrics.bestEffortFailure(what);
      logger.warn({ err, what }, 'a best-effort write failed; reads go on (logged once until it works again)');
    },
    limits: {
      ...(limits.maxBlobBytes ? { maxBlobBytes: limits.maxBlobBytes } : {}),
      ...(limits.maxManifestBytes ? { maxManifestBytes: limits.maxManifestBytes } : {}),
      ...(limits.maxPageSize ? { maxPageSize: limits.maxPageSize } : {}),
      ...(limits.uploadIdleTimeoutSeconds ? { uploadIdleTimeoutMs: limits.uploadIdleTimeoutSeconds * 1000 } : {}),
    },
  });
  const registryId = formatRegistryKey({ account: config.accountId ?? '000000000000', region: config.region ?? 'us-east-1' });
  const tokenKey = options.tokenKey ?? loadTokenKey(config, options.dataDir);
  const uploadIdleTimeoutMs = registry.limits.uploadIdleTimeoutMs;
  const auth = createAuth(config, storage, tokenKey, { allowAnonymous: options.allowAnonymous ?? false, uploadIdleTimeoutMs });
  const gateway = options.role === 'upload-gateway';
  const limitsOfRequests = gateway ? undefined : requestLimits(options.maxRequestBytes ?? limits.maxRequestBytes);
  const uploadLocations = gateway
    ? gatewayUploads('', auth.uploadCapability)
    : options.uploadGatewayUrl
      ? gatewayUploads(options.uploadGatewayUrl, auth.uploadCapability)
      : undefined;
  // A gateway beside the Lambdas fills their blob misses with the credentials they use: Secrets Manager's.
  const secrets = gateway && options.backend === 'aws' ? awsSecretStore(config.region) : embeddedSecrets(config, options.dataDir);
  const pullThrough = createPullThrough(config, registry, storage, secrets, local ? { record: (events) => local.outbox.append(events) } : undefined, logger);
  const distribution = createDistributionApi({
    registry,
    pullThrough: pullThrough.syncer,
    authorizer: auth.authorizer,
    registryFor: (host) => registryFromHost(host, registryId),
    logger,
    ...(limitsOfRequests ? { requestLimits: limitsOfRequests } : {}),
    ...(uploadLocations ? { uploadLocations } : {}),
    ...(gateway ? { role: 'upload-gateway' as const } : {}),
  });
  const ecr = createEcrApi({
    registry,
    ...auth.ecr,
    services: { ...auth.ecr.services, pullThroughCache: pullThrough.rules },
    registryDomain: config.registryDomain ?? 'localhost',
    defaultRegistry: registryId,
    logger,
  });
  const health = healthEndpoints(storage, registryId, logger);
  const api: HttpHandler = health.around(
    metrics.around((request) => {
      if (gateway) return distribution(request);
      return isEcrApiRequest(request) ? ecr(request) : distribution(request);
    }),
  );
  const served = gateway ? api : consoleFiles(options.consoleDir ?? defaultConsoleDir(), logger).around(api);

  // The gateway leaves upload expiry to the deployment's purge: a purge here could abort an upload
  // another process is starting (the session is written after the staging area).
  let purge: NodeJS.Timeout | undefined;
  if (!gateway) {
    const orphans = await registry.uploads.purgeOrphans();
    const stranded = await registry.uploads.purgeStranded();
    const expired = await registry.uploads.purgeIdle();
    if (orphans + stranded + expired > 0) logger.info({ orphans, stranded, expired }, 'purged abandoned uploads');
    purge = setInterval(() => {
      registry.uploads.purgeIdle().catch((err: unknown) => logger.error({ err }, 'upload purge failed'));
    }, PURGE_INTERVAL_MS);
    purge.unref();
  }
  const workers = local && !gateway ? await startWorkers(registry, local, logger) : undefined;
  const stopRefresh = gateway ? undefined : pullThrough.schedule(registryId);
  const stopGc = local && !gateway ? startGcTimer(registry, local, config, logger, metrics.gcPass) : undefined;
  // The embedded sweeper; on AWS the scheduled Lambda sweeps (the embedded server over AWS storage leaves it to that).
  if (local && !gateway) {
    lifecycle = startLifecycleTimer(
      registry,
      local.lifecycleTargets,
      {
        intervalSeconds: options.lifecycleIntervalSeconds ?? config.lifecycle?.sweepIntervalSeconds ?? DEFAULT_SWEEP_INTERVAL_SECONDS,
        afterPutSeconds: config.lifecycle?.sweepAfterPutSeconds ?? DEFAULT_SWEEP_AFTER_PUT_SECONDS,
        observe: metrics.lifecycleSweep,
      },
      logger,
    );
  }
  if (workers) started.workers = workers;

  const connections = connectionSettings(config);
  const listener = nodeListener(served, logger, {
    idleMs: connections.idleTimeoutMs,
    onComplete: metrics.record,
    ...(local ? { onArrival: local.requestArrived } : {}),
  });
  const server: Server = createServer(
    {
      keepAliveTimeout: connections.keepAliveTimeoutMs,
      // No limit on a whole request (a layer may take hours), but one on its headers: Node 20 derives
      // headersTimeout from requestTimeout, so 0 there would let a client hold a connection forever.
      requestTimeout: 0,
      headersTimeout: connections.headersTimeoutMs,
      connectionsCheckingInterval: Math.min(5_000, Math.max(100, connections.headersTimeoutMs / 4)),
    },
    listener,
  );
  refuseBeyond(server, connections.maxConnections, logger);
  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 5000, host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
  logger.info(
    {
      url,
      backend: options.backend ?? 'embedded',
      dataDir: options.dataDir,
      registry: registryId,
      anonymous: options.allowAnonymous ?? false,
      ...(limitsOfRequests ? { maxRequestBytes: limitsOfRequests.maxRequestBytes } : {}),
      ...(options.uploadGatewayUrl ? { uploadGatewayUrl: options.uploadGatewayUrl } : {}),
    },
    gateway ? 'cargohold is serving upload sessions (upload gateway)' : 'cargohold is serving /v2/ and the ECR API',
  );

  let closing: Promise<void> | undefined;
  const close = (graceMs = (options.shutdownGraceSeconds ?? config.server?.shutdownGraceSeconds ?? 30) * 1000) =>
    (closing ??= (async () => {
      if (purge) clearInterval(purge);
      stopRefresh?.();
      await stopGc?.();
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      const timer = setTimeout(() => server.closeAllConnections(), graceMs);
      await closed;
      clearTimeout(timer);
      // The connections are gone, but a handler whose body was cut may still be rolling back (truncating
      // a chunk nobody acknowledged): storage closes after it, and a restart never sees those bytes.
      await windDown(listener.settled(), WIND_DOWN_MS, logger);
      await lifecycle?.stop();
      await workers?.stop();
      await storage.close();
      // A counter, not a timing: specs read it to tell a resumed upload from one hashed again.
      logger.info({ hashedUploadBytes: registry.uploads.hashedBytes }, 'cargohold stopped');
    })());
  return { url, port, host, close };
}
