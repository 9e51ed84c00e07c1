import type { GcReport } from '@cargohold/registry-core';
import { OCI_CONFIG, OCI_LAYER, OCI_MANIFEST, sha256, type RegistryClient } from './registry-client';

/** Layers every image shares a few of: the pressure point (GC sees them unlinked between pushes). */
const SHARED = Array.from({ length: 4 }, (_, i) => Buffer.alloc(40_000 + i, `shared base layer ${i}\n`));

export interface Pushed {
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

export async function pushOnce(client: RegistryClient, repo: string, seed: string, n: number): Promise<Pushed | undefined> {
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
  // A push racing the collector may only fail this way: a layer was collected before its manifest came.
  const code = res.json<{ errors: { code: string }[] }>().errors[0]?.code;
  if (code !== 'MANIFEST_BLOB_UNKNOWN') throw new Error(`manifest push answered ${res.status} ${res.body.toString()}`);
  return undefined;
}

export async function problemsOf(client: RegistryClient, image: Pushed): Promise<string[]> {
  const problems: string[] = [];
  const manifest = await client.send('GET', `/v2/${image.repo}/manifests/${image.digest}`, { headers: { Accept: OCI_MANIFEST } });
  if (manifest.status !== 200 || sha256(manifest.body) !== image.digest) problems.push(`${image.repo}@${image.digest}: manifest ${manifest.status}`);
  for (const blob of image.blobs) {
    const got = await client.send('GET', `/v2/${image.repo}/blobs/${sha256(blob)}`);
    if (got.status !== 200 || sha256(got.body) !== sha256(blob)) problems.push(`${image.repo}@${image.digest}: blob ${sha256(blob)} ${got.status}`);
  }
  return problems;
}

export interface RaceOptions {
  readonly client: RegistryClient;
  readonly repos: readonly string[];
  readonly clients: number;
  readonly durationMs: number;
  /** One collection pass (another process's, or the AWS job's); run back to back with `pauseMs` between. */
  readonly collect: () => Promise<GcReport>;
  readonly pauseMs: number;
  /**
   * Past `durationMs`, the race goes on (up to `maxMs`, default 90 s) until this many pushes are kept and
   * this many blobs were collected: on a loaded machine the same seconds hold fewer pushes, and a race
   * with too few of either proves little.
   */
  readonly atLeast?: { readonly kept: number; readonly blobsDeleted: number };
  readonly maxMs?: number;
}

/**
 * Clients push images with shared layers in a loop (monolithic and resumable uploads, tag moves, now and
 * then a manifest delete) while `collect` runs; then one more pass. Answers the pushes that got a 201 and
 * still exist, what each of them fails to pull (digests verified), and the collectors' reports.
 */
export async function raceGarbageCollection(options: RaceOptions) {
  const started = Date.now();
  const acknowledged: Pushed[] = [];
  const deleted = new Set<string>();
  const reports: GcReport[] = [];
  let attempts = 0;
  const enough = () =>
    !options.atLeast ||
    (acknowledged.length - deleted.size >= options.atLeast.kept &&
      reports.reduce((sum, report) => sum + report.blobsDeleted, 0) >= options.atLeast.blobsDeleted);
  const racing = () => {
    const elapsed = Date.now() - started;
    return elapsed < options.durationMs || (!enough() && elapsed < (options.maxMs ?? 90_000));
  };
  const pusher = async (id: number) => {
    for (let n = 0; racing(); n++) {
      attempts++;
      const repo = options.repos[(id + n) % options.repos.length] as string;
      const pushed = await pushOnce(options.client, repo, `client ${id} push ${n}`, n + id);
      if (pushed) acknowledged.push(pushed);
      // Now and then an older image goes, so the collector has manifests' layers to reclaim.
      const victim = n % 4 === 3 ? acknowledged.find((image) => image.repo === repo && !deleted.has(image.digest)) : undefined;
      if (victim && (await options.client.send('DELETE', `/v2/${repo}/manifests/${victim.digest}`)).status === 202) deleted.add(victim.digest);
    }
  };
  const collector = async () => {
    while (racing()) {
      reports.push(await options.collect());
      await new Promise((resolve) => setTimeout(resolve, options.pauseMs));
    }
  };
  await Promise.all([...Array.from({ length: options.clients }, (_, id) => pusher(id)), collector()]);
  reports.push(await options.collect());
  const kept = acknowledged.filter((image) => !deleted.has(image.digest));
  const problems = (await Promise.all(kept.map((image) => problemsOf(options.client, image)))).flat();
  return { kept, problems, reports, attempts, blobsDeleted: reports.reduce((sum, report) => sum + report.blobsDeleted, 0) };
}
