import { IdentityDirectory } from '@cargohold/auth';
import { createAuthToken } from '@cargohold/http-token';
import { SqsBackfillRequests, SqsSweepRequests } from '@cargohold/events-aws';
import {
  AwsClients,
  EcrUpstreamTokens,
  openAwsStorage,
  SecretsManagerSecretStore,
  secretsManagerClient,
  sqsClient,
  type DeploymentEnv,
} from '@cargohold/platform-aws';
import { upstreamConnector } from '@cargohold/platform-node';
import { CachedEcrTokens, PullThroughRules } from '@cargohold/pull-through';
import type { RepoRef } from '@cargohold/storage-ports';
import { createRegistry, parsePolicy, systemClock } from '@cargohold/registry-core';
import type { Logger } from 'pino';
import { sigV4Authenticator, type EcrApiDeps } from '@cargohold/http-ecr';

/** The ECR API over the AWS storage, built once per container from the function's environment. */
export function awsEcrDeps(env: DeploymentEnv, logger: Logger): EcrApiDeps {
  const clients = new AwsClients({ region: env.region, s3ForcePathStyle: env.s3ForcePathStyle });
  const storage = openAwsStorage(clients, env);
  const directory = new IdentityDirectory(env.identities);
  const tokens = createAuthToken({
    tokenKey: env.tokenKey,
    repositories: storage.repositories,
    registries: storage.registries,
    identityPolicies: (arn) => directory.identityPolicies(arn),
    clock: systemClock,
  });
  return {
    registry: createRegistry({
      storage,
      // StartImageScan writes the scan with its request; the table stream carries it to the scanner.
      scans: storage.scans,
      templates: storage.templates,
      ...(env.sweepQueueUrl
        ? { onLifecyclePolicyPut: sweepSoon(new SqsSweepRequests({ client: sqsClient(clients), queueUrl: env.sweepQueueUrl, delaySeconds: 60 }), logger) }
        : {}),
      // DescribeImageReplicationStatus reads what the replicator Lambda recorded.
      replicationStatuses: storage.replications,
      // StartReplicationBackfill records the backfill and queues it; the replicator Lambda runs it.
      ...(env.replicatorQueueUrl ? { backfillRunner: new SqsBackfillRequests({ client: sqsClient(clients), queueUrl: env.replicatorQueueUrl }) } : {}),
    }),
    authenticate: sigV4Authenticator(directory.credentialLookup),
    authorize: (checks) => tokens.access.decideEach(checks),
    pageTokenKey: env.tokenKey,
    services: {
      issueToken: tokens.issue,
      downloadUrl: tokens.downloadUrl,
      validatePolicy: (text) => void parsePolicy(text, 'resource'),
      // Rules in the registry's settings item; credentials from Secrets Manager (`ecr-pullthroughcache/*` only).
      pullThroughCache: new PullThroughRules({
        registries: storage.registries,
        secrets: new SecretsManagerSecretStore(secretsManagerClient(clients)),
        connect: upstreamConnector(),
        insecureUpstreams: env.pullThrough.insecureUpstreams,
        // Secrets holding access keys (and ECR upstreams without one: this function's role) are exchanged for a token.
        ecrTokens: new CachedEcrTokens(new EcrUpstreamTokens({ defaultRegion: env.region })),
      }),
    },
    registryDomain: env.registryDomain,
    defaultRegistry: env.registryId,
    logger,
  };
}

/**
 * PutLifecyclePolicy's hook: a sweep request for that repository, a minute from now, on the sweeper's queue.
 * Best effort: the policy is stored either way and the daily schedule sweeps it; a failed request is logged.
 */
function sweepSoon(queue: SqsSweepRequests, logger: Logger) {
  return async (repo: RepoRef) => {
    try {
      await queue.send([{ registry: repo.registry, repository: repo.name }]);
    } catch (err) {
      logger.warn({ err, registry: repo.registry, repository: repo.name }, 'could not request a lifecycle sweep; the daily run will sweep it');
    }
  };
}
