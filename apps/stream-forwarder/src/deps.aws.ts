import { EventBridgePublisher, SqsEventPublisher, type StreamForwarderDeps } from '@cargohold/events-aws';
import { AwsClients, clientOptionsOf, eventBridgeClient, EventBusEnvSchema, LogLevelSchema, sqsClient } from '@cargohold/platform-aws';
import type { Logger } from 'pino';
import * as z from 'zod';

/** The function's configuration (serverless.yml sets it). */
export const StreamForwarderEnvSchema = EventBusEnvSchema.extend({
  /** The SQS queue the workers (scanner) read internal events from. */
  WORKER_QUEUE_URL: z.string().url(),
  /** The replicator's queue: the same internal events, a copy of its own. */
  REPLICATOR_QUEUE_URL: z.string().url().optional(),
  LOG_LEVEL: LogLevelSchema,
});
export type StreamForwarderEnv = z.infer<typeof StreamForwarderEnvSchema>;

/** Publishers over the process's clients, built once per container. */
export function awsStreamForwarderDeps(env: StreamForwarderEnv, logger: Logger): StreamForwarderDeps {
  const clients = new AwsClients(clientOptionsOf(process.env));
  return {
    publishers: [
      new EventBridgePublisher({
        client: eventBridgeClient(clients),
        eventBusName: env.EVENT_BUS_NAME,
        ...(env.EVENT_SOURCE ? { source: env.EVENT_SOURCE } : {}),
      }),
      new SqsEventPublisher({ client: sqsClient(clients), queueUrl: env.WORKER_QUEUE_URL }),
      ...(env.REPLICATOR_QUEUE_URL ? [new SqsEventPublisher({ client: sqsClient(clients), queueUrl: env.REPLICATOR_QUEUE_URL })] : []),
    ],
    logger,
  };
}
