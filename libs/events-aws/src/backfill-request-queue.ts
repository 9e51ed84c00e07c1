import { SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { SQSRecord } from 'aws-lambda';
import * as z from 'zod';
import { MalformedEventError } from './errors';

/**
 * "Run (more of) this replication backfill": StartReplicationBackfill sends the first, the replicator a
 * continuation with a cursor when its invocation nears the timeout. The `backfill` key keeps these apart
 * from the registry events that share the replicator's queue.
 */
const BackfillRequestSchema = z
  .object({
    backfill: z
      .object({
        registry: z.string().min(1),
        id: z.string().min(1),
        after: z
          .object({ repository: z.string().min(1), digest: z.string().min(1) })
          .strict()
          .optional(),
      })
      .strict(),
  })
  .strict();
export type BackfillRequest = z.infer<typeof BackfillRequestSchema>['backfill'];

export interface SqsBackfillRequestsOptions {
  readonly client: SQSClient;
  readonly queueUrl: string;
}

/** The replicator's queue as a backfill runner (the core's BackfillRunner, structurally). */
export class SqsBackfillRequests {
  readonly available = true;

  constructor(private readonly options: SqsBackfillRequestsOptions) {}

  schedule(registry: string, id: string): Promise<void> {
    return this.send({ registry, id });
  }

  async send(request: BackfillRequest): Promise<void> {
    await this.options.client.send(new SendMessageCommand({ QueueUrl: this.options.queueUrl, MessageBody: JSON.stringify({ backfill: request }) }));
  }
}

/** The backfill request a message carries, or undefined when it carries something else (a registry event). */
export function backfillRequestOf(record: Pick<SQSRecord, 'messageId' | 'body'>): BackfillRequest | undefined {
  let json: unknown;
  try {
    json = JSON.parse(record.body);
  } catch {
    return undefined;
  }
  if (typeof json !== 'object' || json === null || !('backfill' in json)) return undefined;
  // A body that names a backfill but is malformed throws: the record fails and is dead-lettered.
  const parsed = BackfillRequestSchema.safeParse(json);
  if (!parsed.success) throw new MalformedEventError(`SQS message ${record.messageId}: body is not a replication backfill request`, { cause: parsed.error });
  return parsed.data.backfill;
}
