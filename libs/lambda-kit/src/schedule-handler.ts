import middy from '@middy/core';
import type { Context, ScheduledEvent } from 'aws-lambda';
import pino, { type Logger } from 'pino';

export interface ScheduleHandlerOptions {
  readonly logger?: Logger;
}

export type ScheduleLambda = (event: ScheduledEvent, context: Context) => Promise<void>;

/**
 * An EventBridge schedule (`aws.events` / `Scheduled Event`) Lambda. A failure is logged and rethrown,
 * so the invocation counts as failed and EventBridge's retry policy (and DLQ, if any) applies. The
 * context is passed on for runs that must watch their remaining time (getRemainingTimeInMillis).
 */
export function scheduleHandler(fn: (event: ScheduledEvent, context: Context) => Promise<void>, options: ScheduleHandlerOptions = {}): ScheduleLambda {
  const logger = options.logger ?? pino({ base: { service: 'cargohold' } });
  const lambda = middy(async (event: ScheduledEvent, context: Context) => {
    await fn(event, context);
  }).use({
    name: 'scheduleErrorLogger',
    onError: (request) => {
      logger.error({ err: request.error, ruleArns: (request.event as ScheduledEvent).resources }, 'scheduled run failed');
    },
  });
  return lambda as unknown as ScheduleLambda;
}
