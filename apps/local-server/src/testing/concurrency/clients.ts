import { setTimeout as sleep } from 'node:timers/promises';
import { PutImageCommand, type ECRClient } from '@aws-sdk/client-ecr';
import { OCI_CONFIG, OCI_INDEX, OCI_LAYER, OCI_MANIFEST, sha256, type RegistryClient } from '../registry-client';
import type { Prng } from './prng';

/** What one racing request was told: `ok` when it was acknowledged, else the status and error code. */
export interface Answer {
  readonly ok: boolean;
  readonly detail: string;
}

export interface Session {
  readonly v2: RegistryClient;
  readonly ecr: ECRClient;
  readonly rng: Prng;
  readonly repo: string;
}

export interface PreparedManifest {
  readonly body: Buffer;
  readonly digest: string;
  readonly mediaType: string;
  readonly blobs: readonly string[];
}

/** Pushes a one-layer image's blobs (payload from the PRNG) and answers its manifest, not yet pushed. */
export async function prepareImage({ v2, rng, repo }: Session, label: string): Promise<PreparedManifest> {
  const config = Buffer.from(JSON.stringify({ architecture: 'amd64', os: 'linux', label, nonce: rng.hex() }));
  const layer = Buffer.from(`layer ${label} ${rng.hex(16)}`);
  const [configDigest, layerDigest] = await Promise.all([v2.pushBlob(repo, config), v2.pushBlob(repo, layer)]);
  const body = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: OCI_MANIFEST,
      config: { mediaType: OCI_CONFIG, digest: configDigest, size: config.length },
      layers: [{ mediaType: OCI_LAYER, digest: layerDigest, size: layer.length }],
    }),
  );
  return { body, digest: sha256(body), mediaType: OCI_MANIFEST, blobs: [configDigest, layerDigest] };
}

/** An index over already-pushed manifests (not pushed itself). */
export function indexOf(children: readonly PreparedManifest[]): PreparedManifest {
  const body = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: OCI_INDEX,
      manifests: children.map((child) => ({ mediaType: child.mediaType, digest: child.digest, size: child.body.length })),
    }),
  );
  return { body, digest: sha256(body), mediaType: OCI_INDEX, blobs: [] };
}

const v2Answer = (status: number, expected: number, body: Buffer): Answer => {
  if (status === expected) return { ok: true, detail: String(status) };
  const code = body.length > 0 ? ((JSON.parse(body.toString()) as { errors?: { code?: string }[] }).errors?.[0]?.code ?? '') : '';
  return { ok: false, detail: `${status} ${code}`.trim() };
};

/** PUT /v2/…/manifests/<reference>. */
export async function putManifest({ v2, repo }: Session, manifest: PreparedManifest, reference: string): Promise<Answer> {
  const res = await v2.send('PUT', `/v2/${repo}/manifests/${reference}`, {
    headers: { 'Content-Type': manifest.mediaType, 'Content-Length': manifest.body.length },
    body: manifest.body,
  });
  return v2Answer(res.status, 201, res.body);
}

/** ECR PutImage with a tag. */
export async function putImage({ ecr, repo }: Session, manifest: PreparedManifest, tag: string): Promise<Answer> {
  try {
    await ecr.send(
      new PutImageCommand({ repositoryName: repo, imageManifest: manifest.body.toString(), imageManifestMediaType: manifest.mediaType, imageTag: tag }),
    );
    return { ok: true, detail: 'PutImage' };
  } catch (error) {
    return { ok: false, detail: (error as Error).name };
  }
}

export async function deleteManifest({ v2, repo }: Session, digest: string): Promise<Answer> {
  const res = await v2.send('DELETE', `/v2/${repo}/manifests/${digest}`);
  return v2Answer(res.status, 202, res.body);
}

export async function deleteBlob({ v2, repo }: Session, digest: string): Promise<Answer> {
  const res = await v2.send('DELETE', `/v2/${repo}/blobs/${digest}`);
  return v2Answer(res.status, 202, res.body);
}

/** The digest a tag resolves to over /v2/, undefined when it does not. */
export async function resolveTag({ v2, repo }: Session, tag: string): Promise<string | undefined> {
  const res = await v2.send('HEAD', `/v2/${repo}/manifests/${tag}`, { headers: { Accept: `${OCI_MANIFEST}, ${OCI_INDEX}` } });
  return res.status === 200 ? String(res.headers['docker-content-digest']) : undefined;
}

export async function tagsOf({ v2, repo }: Session): Promise<string[]> {
  const res = await v2.send('GET', `/v2/${repo}/tags/list`);
  return res.status === 200 ? (res.json<{ tags?: string[] | null }>().tags ?? []) : [];
}

/**
 * Starts every action after a PRNG-drawn delay of 0–`spreadMs` ms (drawn up front, in order, so a seed
 * names the same schedule) and waits for all of them. A spread about as long as a request lets one
 * request land anywhere inside another's sequence of storage calls.
 */
export async function race<T>(rng: Prng, actions: readonly (() => Promise<T>)[], spreadMs = 3): Promise<T[]> {
  const delays = actions.map(() => rng.int(0, spreadMs));
  return Promise.all(actions.map(async (action, i) => (await sleep(delays[i]), action())));
}

/** Two different requests raced the same way: answers both. */
export async function racePair(rng: Prng, first: () => Promise<Answer>, second: () => Promise<Answer>, spreadMs = 3): Promise<[Answer, Answer]> {
  const [a, b] = await race(rng, [first, second], spreadMs);
  return [a as Answer, b as Answer];
}
