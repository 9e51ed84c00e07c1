import { SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { SQSRecord } from 'aws-lambda';
import * as z from 'zod';
import { EventPublishError, MalformedEventError } from './errors';
import { sendInSqsBatches } from './sqs-batches';

/**
 * "Cache this reference": a pull-through pull the /v2/ function served uncached (its blobs were not
 * stored yet, and a Lambda's time budget cannot store them) asks the cache-syncer worker to store it
 * with its whole closure. The queue is the cache-syncer's own.
 */
const CacheRequestSchema = z.object({ registry: z.string().min(1), repository: z.string().min(1), reference: z.string().min(1) }).strict();
export type CacheRequestMessage = z.infer<typeof CacheRequestSchema>;

export interface SqsCacheRequestsOptions {
  readonly client: SQSClient;
  readonly queueUrl: string;
  /** Seconds a pull's request waits before the worker may take it (batched refresh requests never wait). */
  readonly delaySeconds?: number;
}

/** The cache-syncer's queue as the pull-through cache's CacheRequests (structurally). */
export class SqsCacheRequests {
  constructor(private readonly options: SqsCacheRequestsOptions) {}

  async request(request: CacheRequestMessage): Promise<void> {
    const body: CacheRequestMessage = { registry: request.registry, repository: request.repository, reference: request.reference };
    const { queueUrl, delaySeconds } = this.options;
    await this.options.client.send(
      new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: JSON.stringify(body), ...(delaySeconds ? { DelaySeconds: delaySeconds } : {}) }),
    );
  }

  /** Many requests in SendMessageBatch calls (the scheduled refresh: one per cached tag); throws naming those left undelivered. */
  async send(requests: readonly CacheRequestMessage[]): Promise<void> {
    const undelivered = await sendInSqsBatches({ client: this.options.client, queueUrl: this.options.queueUrl }, requests, (request) =>
      JSON.stringify({ registry: request.registry, repository: request.repository, reference: request.reference }),
    );
    if (undelivered.length > 0) {
      throw new EventPublishError(
        `SQS ${this.options.queueUrl}`,
        undelivered.map(({ entry }) => `${entry.registry}/${entry.repository}:${entry.reference}`),
        undelivered.map(({ reason }) => reason),
      );
    }
  }
}

/** The request a message carries; anything else throws (the record fails, is retried, then dead-lettered). */
export function parseCacheRequest(record: Pick<SQSRecord, 'messageId' | 'body'>): CacheRequestMessage {
  try {
    return CacheRequestSchema.parse(JSON.parse(record.body));
  } catch (cause) {
    throw new MalformedEventError(`SQS message ${record.messageId}: body is not a pull-through cache request`, { cause });
  }
}
