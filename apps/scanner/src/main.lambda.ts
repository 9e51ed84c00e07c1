import { parseSqsEvent } from '@cargohold/events-aws';
import { sqsBatchHandler } from '@cargohold/lambda-kit';
import { parseFunctionEnv } from '@cargohold/platform-aws';
import pino from 'pino';
import { awsScanWorker, ScannerEnvSchema } from './deps.aws';

/**
 * The worker queue (serverless.yml: internal events from the table stream, ReportBatchItemFailures, a
 * DLQ after 5 receives) → the scan worker. Each record is one event: pushes to scan-on-push repositories
 * and scan requests are scanned, anything else is acknowledged untouched; a body that is not a registry
 * event fails its record, so it is retried and then dead-lettered. The worker is idempotent, which
 * at-least-once delivery needs. Configuration and clients are built once per container.
 */
const env = parseFunctionEnv(ScannerEnvSchema, process.env);
const logger = pino({ level: env.LOG_LEVEL, base: { service: 'scanner' } });
const worker = awsScanWorker(env);

// `async`: a parse error must reject this record's promise, not throw out of the whole batch.
export const handler = sqsBatchHandler(async (record) => worker.handle(parseSqsEvent(record)), { logger });
