import { toEcrEvents, newEvent } from '@cargohold/events';
import { MalformedEventError } from './errors';
import { parseEcrImageActionRecord } from './ecr-action-records';

describe('parseEcrImageActionRecord', () => {
  it('turns the ECR Image Action of a tagged push back into image.pushed, with a stable id', () => {
    const pushed = newEvent(
      'image.pushed',
      { registry: '000000000000:us-east-1', repository: 'team/app', digest: 'sha256:' + 'a'.repeat(64), mediaType: 'x', tags: ['v1'] },
      new Date('2026-01-01T00:00:00Z'),
      '2a0e0c4c-8d5e-4b8e-9f6f-0d2f7d4c8a11',
    );
    const [ecr] = toEcrEvents(pushed);
    const record = { messageId: 'm1', body: JSON.stringify(ecr) };

    const event = parseEcrImageActionRecord(record);

    expect(event).toMatchObject({ type: 'image.pushed', registry: '000000000000:us-east-1', repository: 'team/app', digest: pushed.digest, tags: ['v1'] });
    expect(parseEcrImageActionRecord(record).id).toBe(event.id);
  });

  it('refuses a body that is not an ECR Image Action', () => {
    expect(() => parseEcrImageActionRecord({ messageId: 'm2', body: '{"detail-type":"ECR Image Scan"}' })).toThrow(MalformedEventError);
  });
});
