import { accountOf } from '@cargohold/registry-core';
import type { ReplicationBackfill } from '@cargohold/storage-ports';
import * as z from 'zod';
import { defineAction } from '../action';
import { MaxResults, NextToken, RegistryId } from '../shapes';

const Destination = z.object({ region: z.string().regex(/^[0-9a-z-]{2,25}$/, "must satisfy regular expression '[0-9a-z-]{2,25}'"), registryId: RegistryId });
const BackfillId = z.string().min(1).max(64);

const summaryOf = (b: ReplicationBackfill) => ({
  replicationBackfillId: b.id,
  destination: b.destination,
  status: b.status,
  ...(b.failureCode ? { failureCode: b.failureCode } : {}),
  progress: {
    totalReplicationCount: b.progress.total,
    completedReplicationCount: b.progress.completed,
    failedReplicationCount: b.progress.failed,
    failureCodes: b.progress.failureCodes,
  },
  startedAt: new Date(b.startedAt).getTime() / 1000,
  ...(b.endedAt ? { endedAt: new Date(b.endedAt).getTime() / 1000 } : {}),
});

export const startReplicationBackfill = defineAction({
  name: 'StartReplicationBackfill',
  input: z.object({ registryId: RegistryId.optional(), destination: Destination }),
  async handle(input, context) {
    const key = context.registryKey(input.registryId);
    const backfill = await context.registry.replication.backfills.start(key, input.destination);
    const { replicationBackfillId, destination, status, startedAt } = summaryOf(backfill);
    return { replicationBackfillId, registryId: accountOf(key), destination, status, startedAt };
  },
});

export const stopReplicationBackfill = defineAction({
  name: 'StopReplicationBackfill',
  input: z.object({ registryId: RegistryId.optional(), replicationBackfillId: BackfillId }),
  async handle(input, context) {
    const key = context.registryKey(input.registryId);
    const { replicationBackfillId, destination, status, startedAt } = summaryOf(
      await context.registry.replication.backfills.stop(key, input.replicationBackfillId),
    );
    return { registryId: accountOf(key), replicationBackfillId, destination, status, startedAt };
  },
});

export const listReplicationBackfills = defineAction({
  name: 'ListReplicationBackfills',
  input: z.object({ registryId: RegistryId.optional(), maxResults: MaxResults(100).optional(), nextToken: NextToken.optional() }),
  async handle(input, context) {
    const key = context.registryKey(input.registryId);
    const all = await context.registry.replication.backfills.list(key);
    const after = context.pageToken.open(key, input.nextToken);
    const start = after === undefined ? 0 : all.findIndex((b) => b.id === after) + 1;
    const page = all.slice(start, start + (input.maxResults ?? 100));
    const more = start + page.length < all.length;
    return {
      registryId: accountOf(key),
      backfills: page.map(summaryOf),
      ...(more ? { nextToken: context.pageToken.seal(key, page[page.length - 1]?.id) } : {}),
    };
  },
});

export const describeReplicationBackfillResults = defineAction({
  name: 'DescribeReplicationBackfillResults',
  input: z.object({
    registryId: RegistryId.optional(),
    replicationBackfillId: BackfillId,
    resultStatusFilter: z.enum(['COMPLETE', 'FAILED']).optional(),
    maxResults: MaxResults(1000).optional(),
    nextToken: NextToken.optional(),
  }),
  async handle(input, context) {
    const key = context.registryKey(input.registryId);
    const backfill = await context.registry.replication.backfills.get(key, input.replicationBackfillId);
    const results = backfill.results.filter((r) => input.resultStatusFilter === undefined || r.status === input.resultStatusFilter);
    const after = Number(context.pageToken.open(`${key}/${backfill.id}`, input.nextToken) ?? 0);
    const page = results.slice(after, after + (input.maxResults ?? 100));
    const next = after + page.length;
    const { replicationBackfillId, destination, status, failureCode, progress, startedAt, endedAt } = summaryOf(backfill);
    return {
      registryId: accountOf(key),
      replicationBackfillId,
      destination,
      status,
      ...(failureCode ? { failureCode } : {}),
      progress,
      results: page.map((r) => ({
        repositoryName: r.repositoryName,
        imageId: { imageDigest: r.imageDigest },
        status: r.status,
        ...(r.failureCode ? { failureCode: r.failureCode } : {}),
      })),
      startedAt,
      ...(endedAt ? { endedAt } : {}),
      ...(next < results.length ? { nextToken: context.pageToken.seal(`${key}/${backfill.id}`, String(next)) } : {}),
    };
  },
});
