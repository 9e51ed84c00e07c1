import { backfillRequestOf } from './backfill-request-queue';
import { MalformedEventError } from './errors';

describe('backfillRequestOf', () => {
  it('reads a backfill request, with or without its continuation cursor', () => {
    expect(backfillRequestOf({ messageId: 'm', body: '{"backfill":{"registry":"000000000000:us-east-1","id":"b-1"}}' })).toEqual({
      registry: '000000000000:us-east-1',
      id: 'b-1',
    });
    const after = { repository: 'team/app', digest: 'sha256:abc' };
    expect(backfillRequestOf({ messageId: 'm', body: JSON.stringify({ backfill: { registry: 'r', id: 'b', after } }) })).toEqual({
      registry: 'r',
      id: 'b',
      after,
    });
  });

  it('answers undefined for what is not a backfill request: registry events go their way', () => {
    expect(backfillRequestOf({ messageId: 'm', body: '{"type":"image.pushed","data":{}}' })).toBeUndefined();
    expect(backfillRequestOf({ messageId: 'm', body: 'not json' })).toBeUndefined();
  });

  it('refuses a malformed backfill request, so its record fails and is dead-lettered', () => {
    expect(() => backfillRequestOf({ messageId: 'm', body: '{"backfill":{"registry":"r"}}' })).toThrow(MalformedEventError);
  });
});
