import { transactionCanceledAnswer } from './faults';
import { FaultSchedule, faultSeed } from './schedule';

const slowDown = { kind: 's3-error', code: 'SlowDown' } as const;
const timeout = { kind: 'timeout' } as const;

describe('FaultSchedule', () => {
  it('applies a first-try rule once and an every-try rule always, recording each decision', () => {
    const schedule = new FaultSchedule(1).add({ operation: 'PutObject', fault: slowDown, times: 1 }).add({ operation: /^Upload/, fault: timeout });
    expect(schedule.decide('PutObject')).toEqual(slowDown);
    expect(schedule.decide('PutObject')).toBeUndefined();
    expect(schedule.decide('UploadPart')).toEqual(timeout);
    expect(schedule.decide('UploadPart')).toEqual(timeout);
    expect(schedule.attempts('PutObject')).toBe(2);
    expect(schedule.decisions[0]).toEqual({ operation: 'PutObject', fault: 's3-error:SlowDown' });
  });

  it('lets the first matching requests through when told to skip them', () => {
    const schedule = new FaultSchedule(1).add({ operation: 'UploadPart', fault: slowDown, times: 1, skip: 1 });
    expect([schedule.decide('UploadPart'), schedule.decide('UploadPart'), schedule.decide('UploadPart')]).toEqual([undefined, slowDown, undefined]);
  });

  it('draws the same faults from the same seed, and others from another', () => {
    const draw = (seed: number) => {
      const schedule = new FaultSchedule(seed).add({ operation: /./, fault: [slowDown, timeout], probability: 0.5 });
      return Array.from({ length: 64 }, () => schedule.decide('PutObject')?.kind ?? '-').join(',');
    };
    expect(draw(42)).toBe(draw(42));
    expect(draw(42)).not.toBe(draw(43));
  });
});

describe('faultSeed', () => {
  it('replays FAULT_SEED and prints how to replay', () => {
    const lines: string[] = [];
    expect(faultSeed({ FAULT_SEED: '1234' }, (line) => lines.push(line))).toBe(1234);
    expect(lines).toEqual(['fault-proxy: seed 1234 (replay with FAULT_SEED=1234)']);
  });

  it('refuses a seed that is not a non-negative integer', () => {
    expect(() => faultSeed({ FAULT_SEED: 'abc' }, () => undefined)).toThrow(/FAULT_SEED/);
  });
});

describe('transactionCanceledAnswer', () => {
  it('gives one reason per item of the transaction, as DynamoDB does', () => {
    const request = Buffer.from(JSON.stringify({ TransactItems: [{}, {}, {}] }));
    const answer = transactionCanceledAnswer('ConditionalCheckFailed', request);
    expect(answer.status).toBe(400);
    expect(JSON.parse(answer.body)).toMatchObject({
      __type: 'com.amazonaws.dynamodb.v20120810#TransactionCanceledException',
      CancellationReasons: [{ Code: 'ConditionalCheckFailed' }, { Code: 'None' }, { Code: 'None' }],
    });
    expect(JSON.parse(transactionCanceledAnswer('TransactionConflict', request, 'last').body).CancellationReasons).toEqual([
      { Code: 'None' },
      { Code: 'None' },
      { Code: 'TransactionConflict', Message: 'TransactionConflict' },
    ]);
  });
});
