import type { GcReport } from '@cargohold/registry-core';
import { collectGarbage } from './gc';
import { OCI_CONFIG, OCI_LAYER, OCI_MANIFEST, sha256, type RegistryClient } from './testing/registry-client';
import { startTestServer, type TestServer } from './testing/test-server';

/**
 * Online GC racing pushes (issue 13, invariant 4): clients push images with shared layers in a loop
 * (monolithic and resumable uploads, tag moves, manifest deletes) while the server's collector runs every
 * 500 ms and a second collector (`cargohold gc`'s code, its own SQLite connection) every 700 ms, both
 * with grace 0, the harshest setting. Pushes may fail then (a layer collected before its manifest came);
 * every push that got a 201 must stay fully pullable, its digests verified.
 */
jest.setTimeout(120_000);

const PUSH_MS = Number(process.env['GC_RACE_MS'] ?? 8_000);
const CLIENTS = 4;
const REPOS = ['gc/app', 'gc/web', 'gc/worker'];
/** Layers every image shares a few of: the pressure point (GC sees them unlinked between pushes). */
const SHARED = Array.from({ length: 4 }, (_, i) => Buffer.alloc(40_000 + i, `shared base layer ${i}\n`));

interface Pushed {
  readonly repo: string;
  readonly digest: string;
  readonly body: Buffer;
  readonly blobs: readonly Buffer[];
}

async function pushResumable(client: RegistryClient, repo: string, bytes: Buffer): Promise<number> {
  const started = await client.send('POST', `/v2/${repo}/blobs/uploads/`);
  if (started.status !== 202) return started.status;
  const location = new URL(String(started.headers['location']), client.base);
  const patched = await client.send('PATCH', `${location.pathname}${location.search}`, {
    headers: { 'Content-Type': 'application/octet-stream', 'Content-Length': bytes.length, 'Content-Range': `0-${bytes.length - 1}` },
    body: bytes,
  });
  if (patched.status !== 202) return patched.status;
  const next = new URL(String(patched.headers['location']), client.base);
  const separator = next.search ? '&' : '?';
  return (await client.send('PUT', `${next.pathname}${next.search}${separator}digest=${sha256(bytes)}`, { headers: { 'Content-Length': 0 } })).status;
}

async function pushOnce(client: RegistryClient, repo: string, seed: string, n: number): Promise<Pushed | undefined> {
  const config = Buffer.from(JSON.stringify({ architecture: 'amd64', os: 'linux', seed }));
  const layers = [SHARED[n % SHARED.length] as Buffer, SHARED[(n + 1) % SHARED.length] as Buffer, Buffer.from(`own layer ${seed}`)];
  for (const [i, blob] of [config, ...layers].entries()) {
    const status =
      i % 2 === 0
        ? await pushResumable(client, repo, blob)
        : (
            await client.send('POST', `/v2/${repo}/blobs/uploads/?digest=${sha256(blob)}`, {
              headers: { 'Content-Type': 'application/octet-stream', 'Content-Length': blob.length },
              body: blob,
            })
          ).status;
    if (status !== 201) return undefined;
  }
  const manifest = {
    schemaVersion: 2,
    mediaType: OCI_MANIFEST,
    config: { mediaType: OCI_CONFIG, digest: sha256(config), size: config.length },
    layers: layers.map((layer) => ({ mediaType: OCI_LAYER, digest: sha256(layer), size: layer.length })),
  };
  const { res, digest, body } = await client.putManifest(repo, `t${n % 3}`, manifest, OCI_MANIFEST);
  if (res.status === 201) return { repo, digest, body, blobs: [config, ...layers] };
  expect(res.json<{ errors: { code: string }[] }>().errors[0]?.code).toBe('MANIFEST_BLOB_UNKNOWN');
  return undefined;
}

async function problemsOf(client: RegistryClient, image: Pushed): Promise<string[]> {
  const problems: string[] = [];
  const manifest = await client.send('GET', `/v2/${image.repo}/manifests/${image.digest}`, { headers: { Accept: OCI_MANIFEST } });
  if (manifest.status !== 200 || sha256(manifest.body) !== image.digest) problems.push(`${image.repo}@${image.digest}: manifest ${manifest.status}`);
  for (const blob of image.blobs) {
    const got = await client.send('GET', `/v2/${image.repo}/blobs/${sha256(blob)}`);
    if (got.status !== 200 || sha256(got.body) !== sha256(blob)) problems.push(`${image.repo}@${image.digest}: blob ${sha256(blob)} ${got.status}`);
  }
  return problems;
}

describe('online garbage collection racing pushes', () => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer({ gc: { intervalSeconds: 0.5, graceSeconds: 0 } });
  });
  afterAll(() => t?.stop());

  it('leaves every push that got a 201 fully pullable, with grace 0', async () => {
    const until = Date.now() + PUSH_MS;
    const acknowledged: Pushed[] = [];
    const deleted = new Set<string>();
    let attempts = 0;
    const client = async (id: number) => {
      for (let n = 0; Date.now() < until; n++) {
        attempts++;
        const repo = REPOS[(id + n) % REPOS.length] as string;
        const pushed = await pushOnce(t.client, repo, `client ${id} push ${n}`, n + id);
        if (pushed) acknowledged.push(pushed);
        // Now and then an older image goes, so the collector has manifests' layers to reclaim.
        const victim = n % 4 === 3 ? acknowledged.find((image) => image.repo === repo && !deleted.has(image.digest)) : undefined;
        if (victim && (await t.client.send('DELETE', `/v2/${repo}/manifests/${victim.digest}`)).status === 202) deleted.add(victim.digest);
      }
    };
    const reports: GcReport[] = [];
    const collector = async () => {
      while (Date.now() < until) {
        reports.push(await collectGarbage({ dataDir: t.dataDir, dryRun: false, graceMs: 0 }));
        await new Promise((resolve) => setTimeout(resolve, 700));
      }
    };

    await Promise.all([...Array.from({ length: CLIENTS }, (_, id) => client(id)), collector()]);
    reports.push(await collectGarbage({ dataDir: t.dataDir, dryRun: false, graceMs: 0 }));

    const kept = acknowledged.filter((image) => !deleted.has(image.digest));
    const problems = (await Promise.all(kept.map((image) => problemsOf(t.client, image)))).flat();
    expect(problems).toEqual([]);
    // Not a test that cannot fail: pushes succeeded, and the collectors did delete bytes meanwhile.
    expect(kept.length).toBeGreaterThan(10);
    expect(reports.reduce((sum, report) => sum + report.blobsDeleted, 0)).toBeGreaterThan(10);
    expect(attempts).toBeGreaterThan(kept.length);
  });
});
