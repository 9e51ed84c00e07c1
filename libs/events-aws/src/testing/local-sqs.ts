import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { CreateQueueCommand, GetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';

/** An SQS emulator (local-aws-sqs) on a random 127.0.0.1 port, with a client pointed at it. */
export interface LocalSqs {
  readonly endpoint: string;
  readonly client: SQSClient;
  /** Another client of the same emulator (e.g. to add middleware without affecting others); stopped with it. */
  newClient(): SQSClient;
  /**
   * A queue and its dead-letter queue: a message received `maxReceiveCount` times without being deleted
   * moves to the DLQ. Names get a unique suffix so specs never share queues.
   */
  queueWithDeadLetters(
    name: string,
    options?: { maxReceiveCount?: number; visibilityTimeoutSeconds?: number },
  ): Promise<{ queueUrl: string; deadLetterQueueUrl: string }>;
  stop(): Promise<void>;
}

type CreateSqsServer = (options: { port: number; hostname?: string; emulateQueueCreationLifecycle?: boolean }) => Promise<Server>;

let sequence = 0;

/**
 * Starts local-aws-sqs for a spec file. It is a devDependency loaded only when this is called, so
 * production bundles (which never call it) leave it external.
 */
export async function startLocalSqs(options: { readonly port?: number } = {}): Promise<LocalSqs> {
  // A non-literal specifier: bundles of production code must never resolve the emulator.
  const specifier = 'local-aws-sqs';
  const { createSqsServer } = (await import(specifier)) as { createSqsServer: CreateSqsServer };
  const server = await createSqsServer({ port: options.port ?? 0, hostname: '127.0.0.1', emulateQueueCreationLifecycle: false });
  const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const clients: SQSClient[] = [];
  const newClient = () => {
    const created = new SQSClient({ endpoint, region: 'us-east-1', credentials: { accessKeyId: 'fake', secretAccessKey: 'fake' } });
    clients.push(created);
    return created;
  };
  const client = newClient();
  return {
    endpoint,
    client,
    newClient,
    async queueWithDeadLetters(name, options = {}) {
      const unique = `${name}-${process.pid}-${++sequence}`;
      const dlq = await client.send(new CreateQueueCommand({ QueueName: `${unique}-dlq` }));
      const deadLetterQueueUrl = dlq.QueueUrl ?? '';
      const { Attributes } = await client.send(new GetQueueAttributesCommand({ QueueUrl: deadLetterQueueUrl, AttributeNames: ['QueueArn'] }));
      const queue = await client.send(
        new CreateQueueCommand({
          QueueName: unique,
          Attributes: {
            VisibilityTimeout: String(options.visibilityTimeoutSeconds ?? 30),
            RedrivePolicy: JSON.stringify({ deadLetterTargetArn: Attributes?.['QueueArn'], maxReceiveCount: options.maxReceiveCount ?? 3 }),
          },
        }),
      );
      return { queueUrl: queue.QueueUrl ?? '', deadLetterQueueUrl };
    },
    async stop() {
      for (const c of clients) c.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve())));
    },
  };
}
