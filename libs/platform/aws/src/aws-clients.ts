import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { S3Client } from '@aws-sdk/client-s3';
import { SQSClient } from '@aws-sdk/client-sqs';

export interface AwsClientOptions {
  /** From `resolveRegion`; undefined lets the SDK's own chain decide. */
  readonly region?: string;
  /** Path-style S3 URLs, for S3 emulators (LocalStack, s3rver); AWS itself uses virtual hosts. */
  readonly s3ForcePathStyle?: boolean;
  /** Attempts per SDK call, the first included (default 3, the SDK's standard). */
  readonly maxAttempts?: number;
  /**
   * How long a request's socket may sit without a byte moving before the attempt fails as a
   * TimeoutError and is retried (default 60 s). Idle time, not total time: a long upload that keeps
   * moving bytes is never cut. Without it a stalled endpoint holds a request forever.
   */
  readonly socketTimeoutMs?: number;
  /**
   * Endpoints per service, over AWS_ENDPOINT_URL_*: for a process that reaches one service at two places
   * (a test with a fault-injecting proxy in front of an emulator, and the emulator itself).
   */
  readonly endpoints?: { readonly s3?: string; readonly dynamodb?: string; readonly sqs?: string; readonly eventbridge?: string };
}

/** What every SDK client config shares in one process. */
interface CommonConfig {
  region?: string;
  maxAttempts: number;
  retryMode: 'standard';
  requestHandler: { connectionTimeout: number; socketTimeout: number };
}

/** Retries are bounded: a few attempts with the SDK's standard strategy (exponential backoff, full jitter, a retry quota). */
export const DEFAULT_MAX_ATTEMPTS = 3;
export const DEFAULT_SOCKET_TIMEOUT_MS = 60_000;
const CONNECTION_TIMEOUT_MS = 5_000;

/**
 * The SDK clients of one process (a Lambda container, `cargohold serve`): each built on first use with
 * the same options, then shared. Endpoints and credentials come from the SDK's own variables
 * (AWS_ENDPOINT_URL_S3, AWS_ENDPOINT_URL_DYNAMODB, AWS_ENDPOINT_URL_SQS, AWS_ENDPOINT_URL_EVENTBRIDGE,
 * AWS_PROFILE, …), so the same wiring serves AWS, LocalStack and the emulators in the tests.
 *
 * The clients are reached through the functions below rather than getters, so that a bundle loads only
 * the SDK clients its function uses (esbuild drops unused functions, never a class's unused getters):
 * loading an SDK client is a large part of a cold start.
 */
export class AwsClients {
  readonly #made = new Map<string, { destroy(): void }>();

  constructor(readonly options: AwsClientOptions = {}) {}

  /** The process's one client under `key`, built by `build` on first use. */
  shared<C extends { destroy(): void }>(key: string, build: (common: CommonConfig) => C): C {
    let client = this.#made.get(key) as C | undefined;
    if (!client) {
      client = build(this.#common());
      this.#made.set(key, client);
    }
    return client;
  }

  /**
   * Retries stated rather than left to defaults: a bounded number of attempts with the SDK's standard
   * retry strategy (jittered exponential backoff, throttling and 5xx and timeouts retried, a retry quota
   * so that an outage does not multiply the load), and a socket idle timeout so that a stalled endpoint
   * becomes a retryable TimeoutError instead of a request held forever.
   */
  #common(): CommonConfig {
    const socketTimeout = this.options.socketTimeoutMs ?? DEFAULT_SOCKET_TIMEOUT_MS;
    return {
      ...(this.options.region ? { region: this.options.region } : {}),
      maxAttempts: this.options.maxAttempts ?? DEFAULT_MAX_ATTEMPTS,
      retryMode: 'standard',
      requestHandler: { connectionTimeout: Math.min(CONNECTION_TIMEOUT_MS, socketTimeout), socketTimeout },
    };
  }

  /** Closes the sockets of every client built so far (a long-lived server calls it when it stops). */
  destroy(): void {
    for (const client of this.#made.values()) client.destroy();
    this.#made.clear();
  }
}

type Service = keyof NonNullable<AwsClientOptions['endpoints']>;
const endpointOf = (clients: AwsClients, service: Service) => {
  const endpoint = clients.options.endpoints?.[service];
  return endpoint ? { endpoint } : {};
};

export const s3Client = (clients: AwsClients): S3Client =>
  clients.shared('s3', (common) => new S3Client({ ...common, ...endpointOf(clients, 's3'), forcePathStyle: clients.options.s3ForcePathStyle ?? false }));

export const dynamoDbClient = (clients: AwsClients): DynamoDBClient =>
  clients.shared('dynamodb', (common) => new DynamoDBClient({ ...common, ...endpointOf(clients, 'dynamodb') }));

export const sqsClient = (clients: AwsClients): SQSClient => clients.shared('sqs', (common) => new SQSClient({ ...common, ...endpointOf(clients, 'sqs') }));

export const eventBridgeClient = (clients: AwsClients): EventBridgeClient =>
  clients.shared('eventbridge', (common) => new EventBridgeClient({ ...common, ...endpointOf(clients, 'eventbridge') }));
