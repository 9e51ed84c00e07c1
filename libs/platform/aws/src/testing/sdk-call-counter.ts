import { DynamoDBClient } from '@aws-sdk/client-dynamodb';

/**
 * Counts the AWS SDK calls a process makes, by service and operation (`DynamoDB.GetItem`, `S3.PutObject`),
 * for specs and benches that state what a request costs on AWS (reads and writes are billed per call).
 *
 * Every SDK v3 client (and lib-dynamodb's document client, which shares its client's middleware stack)
 * sends through smithy's `Client.send`: while counting, the first send of each client adds one
 * deserialize-step middleware to its stack. That step runs once per request actually sent (each retry
 * again, as AWS bills it) and never for a presigned URL, which is signed locally and sent by someone else.
 * No production code changes; `stop()` restores `send`.
 */
export interface SdkCallCounter {
  /** Calls since the last `reset()`, keyed `Service.Operation`. */
  counts(): Record<string, number>;
  /** The calls of one service, keyed by operation. */
  of(service: string): Record<string, number>;
  reset(): void;
  stop(): void;
}

const MIDDLEWARE = 'cargoholdSdkCallCounter';

/** The part of smithy's middleware types used here (its packages are the SDK's, not ours to import). */
type Next = (args: unknown) => Promise<unknown>;
type Middleware = (next: Next, context: { clientName?: string; commandName?: string }) => Next;
interface Stack {
  add(middleware: Middleware, options: { step: 'deserialize'; name: string; override: boolean }): void;
}
type Send = (this: { middlewareStack: Stack }, ...args: unknown[]) => unknown;
/** smithy's `Client`, which every SDK client class extends. */
const clientPrototype = Object.getPrototypeOf(DynamoDBClient.prototype) as { send: Send };

export function countSdkCalls(): SdkCallCounter {
  const counts = new Map<string, number>();
  const instrumented = new WeakSet<Stack>();
  const send = clientPrototype.send;
  const middleware: Middleware = (next, context) => (args) => {
    const key = `${serviceOf(context.clientName)}.${String(context.commandName).replace(/Command$/, '')}`;
    counts.set(key, (counts.get(key) ?? 0) + 1);
    return next(args);
  };
  clientPrototype.send = function (...args) {
    if (!instrumented.has(this.middlewareStack)) {
      instrumented.add(this.middlewareStack);
      this.middlewareStack.add(middleware, { step: 'deserialize', name: MIDDLEWARE, override: true });
    }
    return send.apply(this, args);
  };

  const counter: SdkCallCounter = {
    counts: () => Object.fromEntries([...counts].sort(([a], [b]) => a.localeCompare(b))),
    of: (service) =>
      Object.fromEntries(
        [...counts]
          .filter(([key]) => key.startsWith(`${service}.`))
          .map(([key, n]) => [key.slice(service.length + 1), n])
          .sort(([a], [b]) => String(a).localeCompare(String(b))),
      ),
    reset: () => counts.clear(),
    stop: () => {
      clientPrototype.send = send;
    },
  };
  return counter;
}

/** `DynamoDBClient` → `DynamoDB`, `S3Client` → `S3`. */
const serviceOf = (clientName: string | undefined) => String(clientName ?? 'Unknown').replace(/Client$/, '');
