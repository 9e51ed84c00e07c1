// Scale on DynamoDB Local: the generator of scale-seed.mjs writes through the DynamoDB metadata ports
// (DynamoDB Local takes ~1 000 items/s here, so the registry is smaller than the SQLite one), then the
// same page queries run through the core's services (the use cases the HTTP handlers call, in process)
// while an SDK middleware counts every DynamoDB command and the read capacity it consumed
// (ReturnConsumedCapacity TOTAL). On AWS reads are money: per request the goal is at most 2 reads for a
// manifest GET by tag and ceil(items / 1 MB) Query calls for a page of tags.
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { startEmulators } from './emulators.mjs';
import { BIG_REPO, REGISTRY, repoName, scaleLib, seedPorts, tagName } from './scale-seed.mjs';

const READS = new Set(['GetItemCommand', 'QueryCommand', 'BatchGetItemCommand', 'ScanCommand', 'TransactGetItemsCommand']);
const ACCEPT = 'application/vnd.oci.image.manifest.v1+json';

/** Counts commands and consumed capacity units on `client` while `counting` is on. */
function commandCounter(client) {
  const tally = { on: false, commands: {}, readUnits: 0, writeUnits: 0 };
  client.middlewareStack.add(
    (next, context) => async (args) => {
      if (!tally.on) return next(args);
      const name = context.commandName;
      tally.commands[name] = (tally.commands[name] ?? 0) + 1;
      args.input.ReturnConsumedCapacity = 'TOTAL';
      const result = await next(args);
      const consumed = [result.output?.ConsumedCapacity ?? []].flat();
      for (const capacity of consumed) {
        if (READS.has(name)) tally.readUnits += capacity.CapacityUnits ?? capacity.ReadCapacityUnits ?? 0;
        else tally.writeUnits += capacity.CapacityUnits ?? capacity.WriteCapacityUnits ?? 0;
      }
      return result;
    },
    { step: 'initialize', name: 'scaleCommandCounter' },
  );
  return {
    async measure(fn) {
      Object.assign(tally, { on: true, commands: {}, readUnits: 0, writeUnits: 0 });
      const began = performance.now();
      const items = await fn();
      const ms = performance.now() - began;
      tally.on = false;
      const reads = Object.entries(tally.commands).filter(([name]) => READS.has(name));
      const readCalls = reads.reduce((sum, [, count]) => sum + count, 0);
      return { ms, items, commands: { ...tally.commands }, readCalls, readUnits: tally.readUnits, writeUnits: tally.writeUnits };
    },
  };
}

/** The page queries, as the HTTP handlers call the core (tags/list, _catalog, ListImages, DescribeImages, DescribeRepositories). */
function queries(registry, shape) {
  const repo = { registry: REGISTRY, name: BIG_REPO };
  const deepTag = tagName(shape.tags - 150);
  const deepRepo = repoName(shape.repositories - 150);
  return [
    ['manifest GET by tag', async () => (await registry.manifests.get(repo, tagName(shape.sampleTag), ACCEPT)).bytes.length && 1],
    [
      'manifest GET by tag, again (pull already recorded)',
      async () => (await registry.manifests.get(repo, tagName(shape.sampleTag), ACCEPT)).bytes.length && 1,
    ],
    ['tags/list, page of 100', async () => (await registry.listing.tags(repo, { n: 100 })).items.length],
    ['tags/list, deep page of 100 (last=)', async () => (await registry.listing.tags(repo, { n: 100, last: deepTag })).items.length],
    ['tags/list, page of 1000', async () => (await registry.listing.tags(repo, { n: 1000 })).items.length],
    ['tags/list, deep page of 1000 (last=)', async () => (await registry.listing.tags(repo, { n: 1000, last: tagName(shape.tags - 1100) })).items.length],
    ['_catalog, page of 100', async () => (await registry.listing.catalog(REGISTRY, { n: 100 })).items.length],
    ['_catalog, deep page of 100 (last=)', async () => (await registry.listing.catalog(REGISTRY, { n: 100, last: deepRepo })).items.length],
    ['ECR ListImages, page of 100', async () => (await registry.images.list(repo, 'ANY', 100)).imageIds.length],
    ['ECR ListImages, deep page of 100', async () => (await registry.images.list(repo, 'ANY', 100, shape.deepDigest)).imageIds.length],
    ['ECR ListImages, page of 1000', async () => (await registry.images.list(repo, 'ANY', 1000)).imageIds.length],
    [
      // As the DescribeImages action does: the page, then each image's scan status.
      'ECR DescribeImages, page of 100 (with each scan status)',
      async () => {
        const { details } = await registry.images.describe(repo, undefined, 'ANY', 100);
        await registry.scanning.summaries(
          repo,
          details.map((detail) => detail.record.digest),
        );
        return details.length;
      },
    ],
    ['ECR DescribeRepositories, page of 100', async () => (await registry.repositoryAdmin.list(REGISTRY, 100)).repositories.length],
    ['ECR DescribeRepositories, deep page of 100', async () => (await registry.repositoryAdmin.list(REGISTRY, 100, deepRepo)).repositories.length],
  ];
}

/** Seeds DynamoDB Local with { tags, repositories } and counts the DynamoDB calls of each query. */
export async function scaleDynamo({ tags, repositories }, tmp, log) {
  const lib = await scaleLib();
  const emulators = await startEmulators(tmp);
  const client = new DynamoDBClient({
    endpoint: emulators.env.AWS_ENDPOINT_URL_DYNAMODB,
    region: 'us-east-1',
    credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
  });
  try {
    const counter = commandCounter(client);
    const metadata = lib.createDynamoMetadata({ client, table: emulators.table });
    const memory = lib.createMemoryStorage();
    const sampleTag = tags - 1;
    const began = performance.now();
    await seedPorts(metadata, memory.blobs, { tags, repositories, sampleTags: new Set([sampleTag]), parallel: 16, log });
    const seedMs = performance.now() - began;
    log(`  dynamodb-local: seeded ${tags.toLocaleString('en')} tags + ${repositories.toLocaleString('en')} repositories in ${(seedMs / 1000).toFixed(0)} s`);
    const repo = { registry: REGISTRY, name: BIG_REPO };
    const digests = [];
    for (let last; ;) {
      const page = await metadata.manifests.list(repo, last === undefined ? { limit: 1000 } : { last, limit: 1000 });
      digests.push(...page.map((record) => record.digest));
      if (page.length < 1000) break;
      last = page.at(-1).digest;
    }
    const shape = { tags, repositories, sampleTag, deepDigest: digests[digests.length - 150] };
    const registry = lib.createRegistry({ storage: { ...memory, ...metadata, close: async () => undefined }, scans: metadata.scans });
    const results = {};
    for (const [name, fn] of queries(registry, shape)) {
      results[name] = await counter.measure(fn);
      log(`    ${name}: ${JSON.stringify(results[name].commands)} ${results[name].readUnits} RCU, ${results[name].ms.toFixed(0)} ms`);
    }
    return { tags, repositories, seedMs, queries: results };
  } finally {
    client.destroy();
    await emulators.stop();
  }
}

/** Rows: per query, DynamoDB read calls and read units (cargohold's own figures; goals where the issue sets one). */
export function scaleDynamoRows(result, row) {
  const size = `${result.tags.toLocaleString('en')} tags + ${result.repositories.toLocaleString('en')} repos, DynamoDB Local`;
  const rows = [];
  for (const [query, r] of Object.entries(result.queries)) {
    // Goals: a manifest GET by tag at most 2 reads; a page of tags one Query per MB of items (1 here).
    const tagsPage = query.startsWith('tags/list');
    const goal = query.startsWith('manifest GET') ? 2 : tagsPage ? 1 : undefined;
    const counted = tagsPage ? 'Query calls' : 'read calls';
    rows.push(
      row({
        name: `${query} at ${size}: ${counted} (${r.readUnits} read units; ${Object.entries(r.commands)
          .map(([name, count]) => `${name.replace('Command', '')} ${count}`)
          .join(', ')})`,
        unit: '',
        better: 'lower',
        digits: 0,
        cargohold: tagsPage ? (r.commands.QueryCommand ?? 0) : r.readCalls,
        referenceName: null,
        ...(goal !== undefined && { target: { op: '<', value: goal + 1 }, absolute: true }),
      }),
    );
  }
  return rows;
}
