import { createHash } from 'node:crypto';
import { DeleteMessageCommand, GetQueueAttributesCommand, ReceiveMessageCommand, type Message, type SQSClient } from '@aws-sdk/client-sqs';
import type { SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import type { LambdaFunction } from './lambda-host';
import { REGION } from './topology';

export interface QueueSourceOptions {
  readonly sqs: SQSClient;
  readonly queueUrl: string;
  readonly function: LambdaFunction;
  readonly timeoutMs: number;
  readonly batchSize: number;
}

/**
 * The scanner's SQS event source mapping: long-polls the worker queue, invokes the function with the SQS
 * event Lambda builds from the received messages, deletes the ones it acknowledged and leaves the ones in
 * batchItemFailures (or the whole batch, if the invocation failed) to come back after the visibility
 * timeout and, after maxReceiveCount receives, move to the queue's DLQ.
 */
export async function startQueueSource(options: QueueSourceOptions): Promise<{ stop(): Promise<void> }> {
  const { Attributes } = await options.sqs.send(new GetQueueAttributesCommand({ QueueUrl: options.queueUrl, AttributeNames: ['QueueArn'] }));
  const queueArn = Attributes?.['QueueArn'] ?? options.queueUrl;
  let stopped = false;
  const loop = (async () => {
    while (!stopped) {
      try {
        const { Messages = [] } = await options.sqs.send(
          new ReceiveMessageCommand({
            QueueUrl: options.queueUrl,
            MaxNumberOfMessages: options.batchSize,
            WaitTimeSeconds: 1,
            MessageSystemAttributeNames: ['All'],
            // The emulator only knows the older spelling of the same request.
            AttributeNames: ['All'],
            MessageAttributeNames: ['All'],
          }),
        );
        if (Messages.length === 0) continue;
        const event: SQSEvent = { Records: Messages.map((message) => sqsRecord(message, queueArn)) };
        const outcome = await options.function.invoke(event, options.timeoutMs);
        if (!outcome.ok) continue;
        const failed = new Set(((outcome.result as SQSBatchResponse | null)?.batchItemFailures ?? []).map((failure) => failure.itemIdentifier));
        for (const message of Messages) {
          if (failed.has(message.MessageId ?? '') || !message.ReceiptHandle) continue;
          await options.sqs.send(new DeleteMessageCommand({ QueueUrl: options.queueUrl, ReceiptHandle: message.ReceiptHandle }));
        }
      } catch (error) {
        if (stopped) break;
        console.error('aws-local queue source:', (error as Error).message);
        await new Promise((resolve) => setTimeout(resolve, 1_000));
      }
    }
  })();
  return {
    async stop() {
      stopped = true;
      await loop;
    },
  };
}

/** A received message as Lambda puts it in the event (AWS's documented SQS record shape). */
function sqsRecord(message: Message, queueArn: string): SQSRecord {
  const body = message.Body ?? '';
  const attributes = message.Attributes ?? {};
  return {
    messageId: message.MessageId ?? '',
    receiptHandle: message.ReceiptHandle ?? '',
    body,
    attributes: {
      ApproximateReceiveCount: attributes['ApproximateReceiveCount'] ?? '1',
      SentTimestamp: attributes['SentTimestamp'] ?? String(Date.now()),
      SenderId: attributes['SenderId'] ?? 'AIDAIENQZJOLO23YVJ4VO',
      ApproximateFirstReceiveTimestamp: attributes['ApproximateFirstReceiveTimestamp'] ?? String(Date.now()),
    },
    messageAttributes: Object.fromEntries(
      Object.entries(message.MessageAttributes ?? {}).map(([name, value]) => [
        name,
        { dataType: value.DataType ?? 'String', ...(value.StringValue !== undefined ? { stringValue: value.StringValue } : {}) },
      ]),
    ),
    md5OfBody: message.MD5OfBody ?? createHash('md5').update(body).digest('hex'),
    eventSource: 'aws:sqs',
    eventSourceARN: queueArn,
    awsRegion: REGION,
  };
}
