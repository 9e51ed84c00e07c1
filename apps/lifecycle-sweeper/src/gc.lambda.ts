import { scheduleHandler } from '@cargohold/lambda-kit';
import { parseFunctionEnv } from '@cargohold/platform-aws';
import { runGarbageCollection } from '@cargohold/registry-core';
import pino from 'pino';
import { awsGcDeps, GcEnvSchema } from './deps.gc.aws';
import { deadlineSignal, gcMetricFields } from './gc-report';

/**
 * The daily EventBridge schedule (serverless.yml `gc`) → one online garbage-collection pass over S3 +
 * DynamoDB (README "Garbage collection"). The pass stops STOP_MARGIN_MS before Lambda's timeout; what it
 * did not reach stays for the next run, and the report says `complete: false`. Its figures go out as
 * CloudWatch metrics in the summary line (EMF). A failure fails the run, and EventBridge retries it.
 */
const env = parseFunctionEnv(GcEnvSchema, process.env);
/** Exported for the int spec, which reads the pass's summary line from it. */
export const logger = pino({ level: env.LOG_LEVEL, base: { service: 'gc' } });
const deps = awsGcDeps(env);
const service = process.env['AWS_LAMBDA_FUNCTION_NAME'] ?? 'cargohold-gc';

if (deps.graceMs <= deps.uploadIdleTimeoutMs) {
  logger.warn(
    { graceMs: deps.graceMs, uploadIdleTimeoutMs: deps.uploadIdleTimeoutMs },
    'GC_GRACE_SECONDS is not longer than an upload session: safe, but racing pushes may fail and retry',
  );
}

export const handler = scheduleHandler(
  async (_event, context) => {
    const report = await runGarbageCollection({ ports: deps.ports }, { graceMs: deps.graceMs, signal: deadlineSignal(context.getRemainingTimeInMillis()) });
    const line = { gc: report, ...gcMetricFields(service, report) };
    if (report.complete) logger.info(line, 'garbage collection pass');
    else logger.warn(line, 'garbage collection pass stopped before the timeout; the next run continues');
  },
  { logger },
);
