import { CachedEcrTokens, CacheSyncer, PullThroughRules, refreshRegistry, type CacheEventSink } from '@cargohold/pull-through';
import { EcrUpstreamTokens } from '@cargohold/platform-aws';
import type { Registry } from '@cargohold/registry-core';
import type { RegistryStorage, SecretStore } from '@cargohold/storage-ports';
import type { Logger } from 'pino';
import type { ConfigFile } from './config';
import { fileSecretStore } from './deps.secrets';
import { upstreamConnector } from '@cargohold/platform-node';

export interface PullThroughDeps {
  readonly rules: PullThroughRules;
  readonly syncer: CacheSyncer;
  /** Starts the scheduled refresh of `registry`'s cached tags (embedded timer); answers its stop. */
  schedule(registry: string): () => void;
}

const DAY_SECONDS = 24 * 60 * 60;
/** Docker Hub's token realm and blob CDN: another host than registry-1.docker.io, allowed by default. */
const DOCKER_HUB_HOSTS = ['auth.docker.io', 'production.cloudflare.docker.com'];

/** The embedded secrets: the config file's, then `<data-dir>/secrets/`. */
export function embeddedSecrets(config: ConfigFile, dataDir: string): SecretStore {
  const inline = Object.fromEntries(
    Object.entries(config.pullThroughCache?.secrets ?? {}).map(([arn, value]) => [arn, typeof value === 'string' ? value : JSON.stringify(value)]),
  );
  return fileSecretStore(dataDir, inline);
}

/** The pull-through cache over the chosen storage: rule admin for the ECR API, the cache-syncer for `/v2/`. */
export function createPullThrough(
  config: ConfigFile,
  registry: Registry,
  storage: RegistryStorage,
  secrets: SecretStore,
  events: CacheEventSink | undefined,
  logger: Logger,
): PullThroughDeps {
  const settings = config.pullThroughCache ?? {};
  const rules = new PullThroughRules({
    registries: storage.registries,
    secrets,
    connect: upstreamConnector({
      userAgent: 'cargohold-pull-through',
      allowRedirectHosts: [...DOCKER_HUB_HOSTS, ...(settings.allowRedirectHosts ?? [])],
      // An upstream manifest is refused above the size a push may have.
      maxManifestBytes: registry.limits.maxManifestBytes,
    }),
    insecureUpstreams: settings.insecureUpstreams ?? [],
    // A secret holding AWS access keys (another cargohold or ECR upstream) is exchanged for its token.
    ecrTokens: new CachedEcrTokens(new EcrUpstreamTokens()),
  });
  const syncer = new CacheSyncer({
    registry,
    storage,
    rules,
    ...(events ? { events } : {}),
    ...(settings.refreshIntervalSeconds !== undefined ? { refreshIntervalMs: settings.refreshIntervalSeconds * 1000 } : {}),
    onStaleServe: (repo, reference, err) =>
      logger.warn({ err, repository: repo.name, reference }, 'pull-through: the upstream could not be checked; serving the cached copy'),
  });
  const schedule = (registryKey: string) => {
    const seconds = settings.scheduledRefreshSeconds ?? DAY_SECONDS;
    if (seconds === 0) return () => undefined;
    let running = false;
    const timer = setInterval(() => {
      if (running) return; // a slow walk is never overlapped by the next
      running = true;
      refreshRegistry(syncer, storage, registryKey, (repo, tag, err) =>
        logger.warn({ err, repository: repo.name, tag }, 'pull-through: scheduled refresh failed'),
      )
        .then((report) => report.checked > 0 && logger.info(report, 'pull-through: scheduled refresh done'))
        .catch((err: unknown) => logger.error({ err }, 'pull-through: scheduled refresh failed'))
        .finally(() => (running = false));
    }, seconds * 1000);
    timer.unref();
    return () => clearInterval(timer);
  };
  return { rules, syncer, schedule };
}
