import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { SQSClient } from '@aws-sdk/client-sqs';
import { EventBridgePublisher, SqsEventPublisher } from '@cargohold/events-aws';
import type { Logger } from 'pino';
import { z } from 'zod';
import type { StreamForwarderDeps } from './forward-stream-records';

/** The function's configuration (serverless.yml sets it). */
export const StreamForwarderEnvSchema = z.object({
  /** The EventBridge bus that receives ECR-shaped events. */
  EVENT_BUS_NAME: z.string().min(1),
  /** Source of the ECR-shaped events on the bus (EventBridge refuses `aws.*` from customers). */
  EVENT_SOURCE: z.string().min(1).optional(),
  /** The SQS queue the workers (scanner) read internal events from. */
  WORKER_QUEUE_URL: z.string().url(),
  LOG_LEVEL: z.enum(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent']).default('info'),
});
export type StreamForwarderEnv = z.infer<typeof StreamForwarderEnvSchema>;

/**
 * Publishers over clients built once per container. Endpoints come from the SDK's own variables
 * (AWS_ENDPOINT_URL_SQS, AWS_ENDPOINT_URL_EVENTBRIDGE), so the same code serves AWS, LocalStack and the
 * emulators in the tests.
 */
export function awsStreamForwarderDeps(env: StreamForwarderEnv, logger: Logger): StreamForwarderDeps {
  return {
    publishers: [
      new EventBridgePublisher({ client: new EventBridgeClient({}), eventBusName: env.EVENT_BUS_NAME, ...(env.EVENT_SOURCE ? { source: env.EVENT_SOURCE } : {}) }),
      new SqsEventPublisher({ client: new SQSClient({}), queueUrl: env.WORKER_QUEUE_URL }),
    ],
    logger,
  };
}
