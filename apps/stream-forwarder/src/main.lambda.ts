import { parseFunctionEnv } from '@cargohold/platform-aws';
import middy from '@middy/core';
import type { DynamoDBBatchResponse, DynamoDBStreamEvent } from 'aws-lambda';
import pino from 'pino';
import { awsStreamForwarderDeps, StreamForwarderEnvSchema } from './deps.aws';
import { forwardStreamRecords } from '@cargohold/events-aws';

/**
 * The metadata table's stream (serverless.yml: batches of one shard, ReportBatchItemFailures, bisect on
 * error, a DLQ for records past their retries) → events on the EventBridge bus and the worker queue.
 * Configuration and clients are built once per container.
 */
const env = parseFunctionEnv(StreamForwarderEnvSchema, process.env);
const deps = awsStreamForwarderDeps(env, pino({ level: env.LOG_LEVEL, base: { service: 'stream-forwarder' } }));

export const handler = middy(async (event: DynamoDBStreamEvent): Promise<DynamoDBBatchResponse> => forwardStreamRecords(event.Records, deps));
