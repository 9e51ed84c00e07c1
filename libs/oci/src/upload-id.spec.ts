import { randomUUID } from 'node:crypto';
import { isUploadId } from './upload-id';

describe('isUploadId', () => {
  it('accepts the lowercase UUIDs the server generates', () => {
    expect(isUploadId(randomUUID())).toBe(true);
    expect(isUploadId('00000000-0000-4000-8000-000000000000')).toBe(true);
  });

  it.each(['', '../x', '../../etc/passwd', 'x/../../y', '0'.repeat(35) + '/', '-'.repeat(36), 'A'.repeat(36), randomUUID().toUpperCase(), `${randomUUID()}\n`])(
    'refuses %j',
    (id) => {
      expect(isUploadId(id)).toBe(false);
    },
  );
});
