import { ListImagesCommand, type ECRClient } from '@aws-sdk/client-ecr';
import type { RegistryClient } from '../registry-client';

interface Descriptor {
  readonly digest: string;
}
interface ManifestDoc {
  readonly config?: Descriptor;
  readonly layers?: readonly Descriptor[];
  readonly manifests?: readonly Descriptor[];
}

/**
 * DESIGN.md's invariant 3, read back over the wire after a round: every tag resolves, every manifest of
 * the repository (tagged or not, as ListImages sees them) has its whole closure readable (blobs and child
 * manifests), and every digest a client was told is stored (and nobody deleted since) reads back.
 * Answers the violations found, empty when none.
 */
export async function closureViolations(v2: RegistryClient, ecr: ECRClient, repo: string, acknowledged: Iterable<string>): Promise<string[]> {
  const problems: string[] = [];
  const checked = new Set<string>();

  const checkManifest = async (reference: string, why: string): Promise<void> => {
    const res = await v2.send('GET', `/v2/${repo}/manifests/${reference}`, { headers: { Accept: ACCEPT } });
    if (res.status !== 200) {
      problems.push(`${why}: manifest ${reference} answers ${res.status}`);
      return;
    }
    const digest = String(res.headers['docker-content-digest']);
    if (checked.has(digest)) return;
    checked.add(digest);
    const doc = res.json<ManifestDoc>();
    for (const blob of [...(doc.config ? [doc.config] : []), ...(doc.layers ?? [])]) {
      const head = await v2.send('HEAD', `/v2/${repo}/blobs/${blob.digest}`);
      if (head.status !== 200) problems.push(`${why}: manifest ${digest} lists blob ${blob.digest}, which answers ${head.status}`);
    }
    for (const child of doc.manifests ?? []) await checkManifest(child.digest, `${why} > index ${digest}`);
  };

  const tags = await v2.send('GET', `/v2/${repo}/tags/list`);
  const tagList = tags.status === 200 ? (tags.json<{ tags?: string[] | null }>().tags ?? []) : [];
  for (const tag of tagList) await checkManifest(tag, `tag ${tag}`);
  for (const digest of await allDigests(ecr, repo)) await checkManifest(digest, `image ${digest}`);
  for (const digest of acknowledged) await checkManifest(digest, `acknowledged ${digest}`);
  return problems;
}

const ACCEPT = [
  'application/vnd.oci.image.manifest.v1+json',
  'application/vnd.oci.image.index.v1+json',
  'application/vnd.docker.distribution.manifest.v2+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
].join(', ');

async function allDigests(ecr: ECRClient, repositoryName: string): Promise<string[]> {
  const digests = new Set<string>();
  let nextToken: string | undefined;
  do {
    const page = await ecr.send(new ListImagesCommand({ repositoryName, maxResults: 1000, ...(nextToken ? { nextToken } : {}) }));
    for (const id of page.imageIds ?? []) if (id.imageDigest) digests.add(id.imageDigest);
    nextToken = page.nextToken;
  } while (nextToken);
  return [...digests];
}
