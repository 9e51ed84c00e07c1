import { SendMessageBatchCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { SQSRecord } from 'aws-lambda';
import { z } from 'zod';
import { deliverInBatches, utf8Bytes, type RetryOptions } from './batch-delivery';
import { EventPublishError, MalformedEventError } from './errors';

/** "Sweep this repository's lifecycle policy": one message per repository, so one huge repository never holds up the rest. */
const SweepRequestSchema = z.object({ registry: z.string().min(1), repository: z.string().min(1) }).strict();
export type SweepRequest = z.infer<typeof SweepRequestSchema>;

export interface SqsSweepRequestsOptions {
  readonly client: SQSClient;
  readonly queueUrl: string;
  /** Seconds each message stays invisible before a worker may take it (the sweep after a put waits a little). */
  readonly delaySeconds?: number;
  readonly retry?: RetryOptions;
}

const LIMITS = { maxEntries: 10, maxBytes: 256 * 1024 } as const;

/** The lifecycle sweeper's queue: the schedule (and PutLifecyclePolicy) send requests, the worker reads them. */
export class SqsSweepRequests {
  constructor(private readonly options: SqsSweepRequestsOptions) {}

  async send(requests: readonly SweepRequest[]): Promise<void> {
    const bodies = requests.map((request) => JSON.stringify(request));
    const undelivered = await deliverInBatches(
      bodies,
      LIMITS,
      utf8Bytes,
      async (batch) => {
        const response = await this.options.client.send(
          new SendMessageBatchCommand({
            QueueUrl: this.options.queueUrl,
            Entries: batch.map((body, index) => ({
              Id: String(index),
              MessageBody: body,
              ...(this.options.delaySeconds ? { DelaySeconds: this.options.delaySeconds } : {}),
            })),
          }),
        );
        return (response.Failed ?? []).map((failed) => ({
          index: Number(failed.Id),
          retryable: failed.SenderFault !== true,
          reason: `${failed.Code ?? 'Failed'}: ${failed.Message ?? ''}`.trim(),
        }));
      },
      this.options.retry,
    );
    if (undelivered.length > 0) {
      throw new EventPublishError(
        `SQS ${this.options.queueUrl}`,
        undelivered.map(({ entry }) => entry),
        undelivered.map(({ reason }) => reason),
      );
    }
  }
}

/** The request a message carries; anything else throws (the record fails, is retried, then dead-lettered). */
export function parseSweepRequest(record: Pick<SQSRecord, 'messageId' | 'body'>): SweepRequest {
  try {
    return SweepRequestSchema.parse(JSON.parse(record.body));
  } catch (cause) {
    throw new MalformedEventError(`SQS message ${record.messageId}: body is not a lifecycle sweep request`, { cause });
  }
}
