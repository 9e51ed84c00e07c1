import {
  DescribeImagesCommand,
  DescribeReplicationBackfillResultsCommand,
  ListReplicationBackfillsCommand,
  PutReplicationConfigurationCommand,
  StartReplicationBackfillCommand,
  StopReplicationBackfillCommand,
} from '@aws-sdk/client-ecr';
import { awsErrorName, ecrClient } from './testing/ecr-client';
import { startEcrTestServer, type EcrTestServer } from './testing/test-server';

const WEST = { region: 'us-west-2', registryId: '000000000000' };

/**
 * Replication backfill (ECR's StartReplicationBackfill, ListReplicationBackfills,
 * DescribeReplicationBackfillResults, StopReplicationBackfill) through @aws-sdk/client-ecr: images pushed
 * before the rule reach the destination.
 */
describe('ECR API: replication backfill', () => {
  let s: EcrTestServer;
  beforeAll(async () => (s = await startEcrTestServer()));
  afterAll(() => s.stop());

  const backfillOf = async (id: string) => (await s.ecr.send(new ListReplicationBackfillsCommand({}))).backfills?.find((b) => b.replicationBackfillId === id);

  it('refuses a destination that is not in the replication configuration', async () => {
    expect(await awsErrorName(() => s.ecr.send(new StartReplicationBackfillCommand({ destination: WEST })))).toBe('ValidationException');
  });

  it('replicates the images pushed before the rule, reporting progress and per-image results', async () => {
    const old = await s.v2.pushImage('legacy/app', 'v1');
    await s.v2.pushImage('other/app', 'v1');
    await s.ecr.send(
      new PutReplicationConfigurationCommand({
        replicationConfiguration: { rules: [{ destinations: [WEST], repositoryFilters: [{ filter: 'legacy', filterType: 'PREFIX_MATCH' }] }] },
      }),
    );

    const started = await s.ecr.send(new StartReplicationBackfillCommand({ destination: WEST }));
    expect(started).toMatchObject({ registryId: '000000000000', destination: WEST, status: 'PREPARING', startedAt: expect.any(Date) });
    const id = started.replicationBackfillId as string;
    for (let i = 0; i < 100 && (await backfillOf(id))?.status !== 'COMPLETE'; i++) await new Promise((resolve) => setTimeout(resolve, 100));

    expect(await backfillOf(id)).toMatchObject({
      status: 'COMPLETE',
      progress: { totalReplicationCount: 1, completedReplicationCount: 1, failedReplicationCount: 0, failureCodes: [] },
      endedAt: expect.any(Date),
    });
    const results = await s.ecr.send(new DescribeReplicationBackfillResultsCommand({ replicationBackfillId: id }));
    expect(results.results).toEqual([{ repositoryName: 'legacy/app', imageId: { imageDigest: old.digest }, status: 'COMPLETE' }]);
    const west = ecrClient(s.t.server.url, undefined, 'us-west-2');
    try {
      const { imageDetails } = await west.send(new DescribeImagesCommand({ repositoryName: 'legacy/app' }));
      expect(imageDetails?.map((d) => [d.imageDigest, d.imageTags])).toEqual([[old.digest, ['v1']]]);
      expect(await awsErrorName(() => west.send(new DescribeImagesCommand({ repositoryName: 'other/app' })))).toBe('RepositoryNotFoundException');
    } finally {
      west.destroy();
    }
    expect(await awsErrorName(() => s.ecr.send(new StopReplicationBackfillCommand({ replicationBackfillId: id })))).toBe('ValidationException');
  });
});
