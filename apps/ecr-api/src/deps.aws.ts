import type { SQSClient } from '@aws-sdk/client-sqs';
import { SqsEventPublisher } from '@cargohold/events-aws';
import type { EventSink } from '@cargohold/registry-core';
import { IdentityDirectory } from '@cargohold/auth';
import { createAuthToken } from '@cargohold/auth-token';
import { AwsClients, openAwsStorage, sqsClient, type DeploymentEnv } from '@cargohold/platform-aws';
import { createRegistry, parsePolicy, systemClock } from '@cargohold/registry-core';
import type { Logger } from 'pino';
import type { EcrApiDeps } from './ecr-api';
import { sigV4Authenticator } from './sigv4-authenticator';

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
      // StartImageScan records the scan and hands it to the scanner Lambda through the worker queue.
      scans: storage.scans,
      ...(env.workerQueueUrl ? { sink: sqsSink(sqsClient(clients), env.workerQueueUrl) } : {}),
    }),
    authenticate: sigV4Authenticator(directory.credentialLookup),
    authorize: (check) => tokens.access.allows(check),
    services: {
      issueToken: tokens.issue,
      downloadUrl: tokens.downloadUrl,
      validatePolicy: (text) => void parsePolicy(text, 'resource'),
    },
    registryDomain: env.registryDomain,
    defaultRegistry: env.registryId,
    logger,
  };
}

/** Change-less events (scan requests) go to the worker queue the scanner Lambda reads. */
function sqsSink(client: SQSClient, queueUrl: string): EventSink {
  const publisher = new SqsEventPublisher({ client, queueUrl });
  return { append: (events) => publisher.publish(events) };
}
