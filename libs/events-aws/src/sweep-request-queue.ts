import type { SQSClient } from '@aws-sdk/client-sqs';
import type { SQSRecord } from 'aws-lambda';
import * as z from 'zod';
import type { RetryOptions } from './batch-delivery';
import { EventPublishError, MalformedEventError } from './errors';
import { sendInSqsBatches } from './sqs-batches';

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

/** The lifecycle sweeper's queue: the schedule (and PutLifecyclePolicy) send requests, the worker reads them. */
export class SqsSweepRequests {
  constructor(private readonly options: SqsSweepRequestsOptions) {}

  async send(requests: readonly SweepRequest[]): Promise<void> {
    const undelivered = await sendInSqsBatches(this.options, requests, (request) => JSON.stringify(request));
    if (undelivered.length > 0) {
      throw new EventPublishError(
        `SQS ${this.options.queueUrl}`,
        // The request's JSON stands for its id (sweep requests have none of their own).
        undelivered.map(({ entry }) => JSON.stringify(entry)),
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
