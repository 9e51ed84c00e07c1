import { Writable } from 'node:stream';
import pino from 'pino';
import { sqsBatchHandler } from './sqs-batch-handler';
import { lambdaContext, sqsEvent, sqsRecord } from './testing/aws-events';

const silent = pino({ level: 'silent' });

describe('sqsBatchHandler', () => {
  it('reports no failures when every record is handled', async () => {
    const seen: string[] = [];
    const lambda = sqsBatchHandler(async (record) => void seen.push(record.body), { logger: silent });
    const result = await lambda(sqsEvent(sqsRecord('m1', 'a'), sqsRecord('m2', 'b')), lambdaContext());
    expect(result).toEqual({ batchItemFailures: [] });
    expect(seen.sort()).toEqual(['a', 'b']);
  });

  it('reports exactly the records that failed, so only they are redelivered', async () => {
    const lines: string[] = [];
    const logger = pino(new Writable({ write: (chunk, _e, done) => (lines.push(String(chunk)), done()) }));
    const lambda = sqsBatchHandler(
      async (record) => {
        if (record.body === 'bad') throw new Error('poison message');
      },
      { logger },
    );
    const result = await lambda(sqsEvent(sqsRecord('m1', 'ok'), sqsRecord('m2', 'bad'), sqsRecord('m3', 'bad')), lambdaContext());
    expect(result).toEqual({ batchItemFailures: [{ itemIdentifier: 'm2' }, { itemIdentifier: 'm3' }] });
    expect(lines).toHaveLength(2);
    expect(JSON.parse(lines[0] ?? '{}')).toMatchObject({ messageId: 'm2', err: { message: 'poison message' } });
  });
});
