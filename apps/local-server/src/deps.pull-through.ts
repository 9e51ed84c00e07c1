import { CacheSyncer, PullThroughRules, type CacheEventSink } from '@cargohold/pull-through';
import type { Registry } from '@cargohold/registry-core';
import type { RegistryStorage, SecretStore } from '@cargohold/storage-ports';
import type { Logger } from 'pino';
import type { ConfigFile } from './config';
import { fileSecretStore } from './deps.secrets';
import { upstreamConnector } from './deps.upstream';

export interface PullThroughDeps {
  readonly rules: PullThroughRules;
  readonly syncer: CacheSyncer;
}

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
    connect: upstreamConnector({ userAgent: 'cargohold-pull-through' }),
    insecureUpstreams: settings.insecureUpstreams ?? [],
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
  return { rules, syncer };
}
