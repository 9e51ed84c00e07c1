import pino from 'pino';
import { scheduleHandler } from './schedule-handler';
import { lambdaContext, scheduledEvent } from './testing/aws-events';

const silent = pino({ level: 'silent' });

describe('scheduleHandler', () => {
  it('runs the function with the scheduled event', async () => {
    const seen: string[] = [];
    const lambda = scheduleHandler(async (event) => void seen.push(event['detail-type'], ...event.resources), { logger: silent });
    await lambda(scheduledEvent('sweep'), lambdaContext());
    expect(seen).toEqual(['Scheduled Event', 'arn:aws:events:us-east-1:123456789012:rule/sweep']);
  });

  it('passes the invocation context on, for runs that watch their remaining time', async () => {
    let remaining = 0;
    const lambda = scheduleHandler(async (_event, context) => void (remaining = context.getRemainingTimeInMillis()), { logger: silent });
    await lambda(scheduledEvent(), lambdaContext());
    expect(remaining).toBe(30_000);
  });

  it('fails the invocation when the run fails, so EventBridge retries it', async () => {
    const lambda = scheduleHandler(
      async () => {
        throw new Error('sweep failed');
      },
      { logger: silent },
    );
    await expect(lambda(scheduledEvent(), lambdaContext())).rejects.toThrow('sweep failed');
  });
});
