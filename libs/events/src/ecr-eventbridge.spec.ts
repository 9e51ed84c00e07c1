import { newEvent, parseRegistryEvent } from './registry-events';
import { toEcrEvents } from './ecr-eventbridge';

const at = new Date('2026-11-29T10:00:00.000Z');
const base = { registry: '123456789012:us-west-2', repository: 'team/app', digest: `sha256:${'a'.repeat(64)}` };

describe('toEcrEvents', () => {
  it('emits one ECR Image Action per tag for a push, as ECR documents it', () => {
    const event = newEvent(
      'image.pushed',
      { ...base, mediaType: 'application/vnd.oci.image.manifest.v1+json', tags: ['latest', 'v1'] },
      at,
      '6a7e8feb-b491-4cf7-a9f1-bf3703467718',
    );
    expect(toEcrEvents(event)).toEqual([
      {
        version: '0',
        id: '6a7e8feb-b491-4cf7-a9f1-bf3703467718',
        'detail-type': 'ECR Image Action',
        source: 'aws.ecr',
        account: '123456789012',
        time: '2026-11-29T10:00:00Z',
        region: 'us-west-2',
        resources: [],
        detail: { result: 'SUCCESS', 'repository-name': 'team/app', 'image-digest': base.digest, 'action-type': 'PUSH', 'image-tag': 'latest' },
      },
      expect.objectContaining({ id: '6a7e8feb-b491-4cf7-a9f1-bf3703467718-1', detail: expect.objectContaining({ 'image-tag': 'v1' }) }),
    ]);
  });

  it('emits an ECR Pull Through Cache Action for a cache sync, with the failure only when it failed', () => {
    const fields = {
      ...base,
      repository: 'hub/library/alpine',
      status: 'SUCCESS' as const,
      ecrRepositoryPrefix: 'hub',
      upstreamRegistryUrl: 'quay.io',
      tag: '3',
    };
    const synced = newEvent('cache.synced', fields, at, '6a7e8feb-b491-4cf7-a9f1-bf3703467718');
    const failed = newEvent('cache.synced', { ...fields, digest: '3', status: 'FAILED', failureCode: 'unavailable', failureReason: 'down' }, at, 'x');

    expect(toEcrEvents(parseRegistryEvent(synced))).toEqual([
      expect.objectContaining({
        'detail-type': 'ECR Pull Through Cache Action',
        resources: ['arn:aws:ecr:us-west-2:123456789012:repository/hub/library/alpine'],
        detail: {
          'rule-version': '1',
          'sync-status': 'SUCCESS',
          'ecr-repository-prefix': 'hub',
          'repository-name': 'hub/library/alpine',
          'upstream-registry-url': 'quay.io',
          'image-tag': '3',
          'image-digest': base.digest,
        },
      }),
    ]);
    expect(toEcrEvents(failed)[0]?.detail).toEqual(
      expect.objectContaining({ 'sync-status': 'FAILED', 'failure-code': 'unavailable', 'failure-reason': 'down', 'image-tag': '3' }),
    );
    expect(toEcrEvents(failed)[0]?.detail).not.toHaveProperty('image-digest');
  });

  it('emits a DELETE action without a tag for an untagged image', () => {
    const event = newEvent('image.deleted', { ...base, tags: [] }, at, '6a7e8feb-b491-4cf7-a9f1-bf3703467718');
    expect(toEcrEvents(event)).toEqual([
      expect.objectContaining({ detail: { result: 'SUCCESS', 'repository-name': 'team/app', 'image-digest': base.digest, 'action-type': 'DELETE' } }),
    ]);
  });

  it('emits an EXPIRE action per tag for an image a lifecycle policy expired, and the reason survives parsing', () => {
    const event = parseRegistryEvent(newEvent('image.deleted', { ...base, tags: ['v1'], reason: 'lifecycle' }, at, '6a7e8feb-b491-4cf7-a9f1-bf3703467718'));
    expect(toEcrEvents(event)).toEqual([
      expect.objectContaining({
        'detail-type': 'ECR Image Action',
        detail: { result: 'SUCCESS', 'repository-name': 'team/app', 'image-digest': base.digest, 'action-type': 'EXPIRE', 'image-tag': 'v1' },
      }),
    ]);
  });

  it('emits an ECR Image Scan with the severity counts and the repository ARN', () => {
    const event = newEvent(
      'image.scanned',
      { ...base, status: 'COMPLETE', tags: ['latest'], severityCounts: { CRITICAL: 1, MEDIUM: 3 } },
      at,
      '6a7e8feb-b491-4cf7-a9f1-bf3703467718',
    );
    expect(toEcrEvents(event)).toEqual([
      expect.objectContaining({
        'detail-type': 'ECR Image Scan',
        resources: ['arn:aws:ecr:us-west-2:123456789012:repository/team/app'],
        detail: {
          'scan-status': 'COMPLETE',
          'repository-name': 'team/app',
          'finding-severity-counts': { CRITICAL: 1, MEDIUM: 3 },
          'image-digest': base.digest,
          'image-tags': ['latest'],
        },
      }),
    ]);
  });

  it('emits an ECR Replication Action in the destination, naming the source account and region', () => {
    const event = newEvent(
      'image.replicated',
      { ...base, source: '000000000000:us-east-1', result: 'FAILED', tags: ['v1'] },
      at,
      '6a7e8feb-b491-4cf7-a9f1-bf3703467718',
    );
    expect(toEcrEvents(event)).toEqual([
      expect.objectContaining({
        'detail-type': 'ECR Replication Action',
        account: '123456789012',
        region: 'us-west-2',
        resources: ['arn:aws:ecr:us-west-2:123456789012:repository/team/app'],
        detail: {
          result: 'FAILED',
          'repository-name': 'team/app',
          'image-digest': base.digest,
          'action-type': 'REPLICATE',
          'image-tag': 'v1',
          'source-account': '000000000000',
          'source-region': 'us-east-1',
        },
      }),
    ]);
  });
});

describe('parseRegistryEvent', () => {
  it('round-trips events and rejects malformed ones', () => {
    const event = newEvent('image.scan-requested', { ...base, reason: 'manual' }, at, '6a7e8feb-b491-4cf7-a9f1-bf3703467718');
    expect(parseRegistryEvent(JSON.parse(JSON.stringify(event)))).toEqual(event);
    expect(() => parseRegistryEvent({ ...event, type: 'image.exploded' })).toThrow();
  });
});
