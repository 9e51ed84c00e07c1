import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { S3Client } from '@aws-sdk/client-s3';
import { SQSClient } from '@aws-sdk/client-sqs';

export interface AwsClientOptions {
  /** From `resolveRegion`; undefined lets the SDK's own chain decide. */
  readonly region?: string;
  /** Path-style S3 URLs, for S3 emulators (LocalStack, s3rver); AWS itself uses virtual hosts. */
  readonly s3ForcePathStyle?: boolean;
}

/** What every SDK client config shares in one process. */
interface CommonConfig {
  region?: string;
}

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
      client = build(this.options.region ? { region: this.options.region } : {});
      this.#made.set(key, client);
    }
    return client;
  }

  /** Closes the sockets of every client built so far (a long-lived server calls it when it stops). */
  destroy(): void {
    for (const client of this.#made.values()) client.destroy();
    this.#made.clear();
  }
}

export const s3Client = (clients: AwsClients): S3Client =>
  clients.shared('s3', (common) => new S3Client({ ...common, forcePathStyle: clients.options.s3ForcePathStyle ?? false }));

export const dynamoDbClient = (clients: AwsClients): DynamoDBClient => clients.shared('dynamodb', (common) => new DynamoDBClient(common));

export const sqsClient = (clients: AwsClients): SQSClient => clients.shared('sqs', (common) => new SQSClient(common));

export const eventBridgeClient = (clients: AwsClients): EventBridgeClient => clients.shared('eventbridge', (common) => new EventBridgeClient(common));
