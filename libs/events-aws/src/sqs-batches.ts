import { SendMessageBatchCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { deliverInBatches, utf8Bytes, type RetryOptions, type Undelivered } from './batch-delivery';

/** SendMessageBatch takes at most 10 entries and 256 KiB of message bodies per call. */
const LIMITS = { maxEntries: 10, maxBytes: 256 * 1024 } as const;

export interface SqsBatchTarget {
  readonly client: SQSClient;
  /** A standard queue (not FIFO: no MessageGroupId; consumers tolerate reordering). */
  readonly queueUrl: string;
  /** Seconds each message stays invisible before a consumer may take it. */
  readonly delaySeconds?: number;
  readonly retry?: RetryOptions;
}

/**
 * Sends one message per entry (its body `bodyOf(entry)`) in SendMessageBatch calls within SQS's limits,
 * re-sending entries SQS reports failed without a sender fault; answers the entries that stayed undelivered.
 */
export async function sendInSqsBatches<T>(target: SqsBatchTarget, entries: readonly T[], bodyOf: (entry: T) => string): Promise<Undelivered<T>[]> {
  const messages = entries.map((entry) => ({ entry, body: bodyOf(entry) }));
  const undelivered = await deliverInBatches(
    messages,
    LIMITS,
    (message) => utf8Bytes(message.body),
    async (batch) => {
      const response = await target.client.send(
        new SendMessageBatchCommand({
          QueueUrl: target.queueUrl,
          // Batch-local ids: the index, so a failure maps back to its entry.
          Entries: batch.map((message, index) => ({
            Id: String(index),
            MessageBody: message.body,
            ...(target.delaySeconds ? { DelaySeconds: target.delaySeconds } : {}),
          })),
        }),
      );
      return (response.Failed ?? []).map((failed) => ({
        index: Number(failed.Id),
        retryable: failed.SenderFault !== true,
        reason: `${failed.Code ?? 'Failed'}: ${failed.Message ?? ''}`.trim(),
      }));
    },
    target.retry,
  );
  return undelivered.map(({ entry, reason }) => ({ entry: entry.entry, reason }));
}
