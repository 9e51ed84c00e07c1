import type { HttpHandler } from '@cargohold/lambda-kit';
import { call, sha256, type Answer } from './registry-client';

/** A write the registry answered 2xx: from then on it must read back byte-identical. */
export interface Acknowledged {
  readonly repo: string;
  readonly kind: 'blob' | 'manifest';
  readonly digest: string;
  readonly bytes: Buffer;
}

/** Every 2xx a test saw, to be checked after the faults. */
export class Ledger {
  readonly acknowledged: Acknowledged[] = [];
  readonly repos = new Set<string>();

  /** Records the write if `answer` is a 2xx; returns the answer for the test's own assertions. */
  record(answer: Answer, write: Acknowledged): Answer {
    this.repos.add(write.repo);
    if (answer.status >= 200 && answer.status < 300) this.acknowledged.push(write);
    return answer;
  }
}

/**
 * The invariants that no fault may break, checked through a registry that reads the stores directly
 * (no proxy, no faults), for one repository or all of them. Answers the violations found, in words (none: `[]`).
 * 1. Every acknowledged blob and manifest reads back byte-identical.
 * 2. Every tag resolves to a manifest whose whole closure (config and layers) exists and hashes right.
 */
export async function invariantViolations(api: HttpHandler, ledger: Ledger, only?: string): Promise<string[]> {
  const violations: string[] = [];
  for (const write of ledger.acknowledged.filter((w) => only === undefined || w.repo === only)) {
    const path = `/v2/${write.repo}/${write.kind === 'blob' ? 'blobs' : 'manifests'}/${write.digest}`;
    const read = await call(api, 'GET', path);
    if (read.status !== 200) violations.push(`acknowledged ${path} answers ${read.status}`);
    else if (!read.body.equals(write.bytes)) violations.push(`acknowledged ${path} reads back different bytes`);
  }
  for (const repo of [...ledger.repos].filter((r) => only === undefined || r === only)) {
    const listed = await call(api, 'GET', `/v2/${repo}/tags/list`);
    if (listed.status === 404) continue; // never created: no tag to dangle
    const { tags } = JSON.parse(listed.body.toString('utf8')) as { tags?: string[] | null };
    for (const tag of tags ?? []) violations.push(...(await closureViolations(api, repo, tag)));
  }
  return violations;
}

async function closureViolations(api: HttpHandler, repo: string, tag: string): Promise<string[]> {
  const manifest = await call(api, 'GET', `/v2/${repo}/manifests/${tag}`, undefined, { accept: 'application/vnd.oci.image.manifest.v1+json' });
  if (manifest.status !== 200) return [`tag ${repo}:${tag} answers ${manifest.status}`];
  const digest = String(manifest.headers['Docker-Content-Digest'] ?? manifest.headers['docker-content-digest']);
  if (digest !== sha256(manifest.body)) return [`tag ${repo}:${tag} serves bytes that do not hash to ${digest}`];
  const parsed = JSON.parse(manifest.body.toString('utf8')) as { config?: Descriptor; layers?: Descriptor[] };
  const violations: string[] = [];
  for (const descriptor of [...(parsed.config ? [parsed.config] : []), ...(parsed.layers ?? [])]) {
    const blob = await call(api, 'GET', `/v2/${repo}/blobs/${descriptor.digest}`);
    if (blob.status !== 200) violations.push(`tag ${repo}:${tag} references ${descriptor.digest}, which answers ${blob.status}`);
    else if (sha256(blob.body) !== descriptor.digest || blob.body.length !== descriptor.size) {
      violations.push(`tag ${repo}:${tag} references ${descriptor.digest}, whose bytes do not match`);
    }
  }
  return violations;
}

interface Descriptor {
  readonly digest: string;
  readonly size: number;
}
