import { readBody, type HttpResponse } from '@cargohold/lambda-kit';
import { acceptsMediaType, ManifestTooLargeError } from '@cargohold/manifests';
import { ManifestUnknownError } from '@cargohold/registry-core';
import { parseDigest } from '@cargohold/oci';
import { empty, API_VERSION_HEADER } from './responses';
import type { RouteHandler } from './route-table';

type ManifestHeaders = Readonly<Record<string, string | number>>;

/**
 * A manifest's response headers, by digest: every pull of an image answers the same ones, so they are
 * built once (and, frozen, shared by the responses). The media type and size are checked on each use:
 * the same bytes pushed under another Content-Type are recorded with that type. Bounded.
 */
const headersByDigest = new Map<string, ManifestHeaders>();

function manifestHeaders(m: { digest: string; mediaType: string; size: number }): ManifestHeaders {
  const known = headersByDigest.get(m.digest);
  if (known && known['Content-Type'] === m.mediaType && known['Content-Length'] === m.size) return known;
  const headers = Object.freeze({
    ...API_VERSION_HEADER,
    'Content-Type': m.mediaType,
    'Content-Length': m.size,
    'Docker-Content-Digest': m.digest,
    ETag: `"${m.digest}"`,
  });
  if (headersByDigest.size >= 4096) headersByDigest.clear();
  headersByDigest.set(m.digest, headers);
  return headers;
}

/** The upstream's manifest served as it is (not cached yet), under the same Accept rule as a stored one. */
function passedThrough(manifest: { digest: string; mediaType: string; bytes: Buffer }, reference: string, accept: string | undefined): HttpResponse {
  if (!acceptsMediaType(manifest.mediaType, accept)) throw new ManifestUnknownError(reference, `media type ${manifest.mediaType} is not in Accept`);
  return { status: 200, headers: manifestHeaders({ ...manifest, size: manifest.bytes.length }), body: manifest.bytes };
}

export const headManifest: RouteHandler = async ({ registry, repo, param, request, pullThrough, allows }) => {
  const upstream = await pullThrough?.beforeManifestRead(repo, param, allows);
  if (upstream) return passedThrough(upstream, param, request.headers['accept']);
  const manifest = await registry.manifests.stat(repo, param, request.headers['accept']);
  return { status: 200, headers: manifestHeaders(manifest) };
};

export const getManifest: RouteHandler = async ({ registry, repo, param, request, principalArn, pullThrough, allows }) => {
  const upstream = await pullThrough?.beforeManifestRead(repo, param, allows);
  if (upstream) return passedThrough(upstream, param, request.headers['accept']);
  const manifest = await registry.manifests.get(repo, param, request.headers['accept'], principalArn);
  return { status: 200, headers: manifestHeaders(manifest), body: manifest.bytes };
};

/** PUT by tag or digest; `?tag=` adds tags (echoed in OCI-Tag); a subject is echoed in OCI-Subject. */
export const putManifest: RouteHandler = async ({ registry, repo, param, request }) => {
  const limit = registry.limits.maxManifestBytes;
  const declared = Number(request.headers['content-length'] ?? 0);
  if (declared > limit) throw new ManifestTooLargeError(declared, limit);
  const read = await readBody(request.body, limit);
  if (!read.ok) throw new ManifestTooLargeError(limit + 1, limit);
  const pushed = await registry.manifests.put(repo, param, read.bytes, request.headers['content-type'], request.query.getAll('tag'));
  const headers: Record<string, string | number> = {
    Location: `/v2/${repo.name}/manifests/${pushed.digest}`,
    'Docker-Content-Digest': pushed.digest,
  };
  if (pushed.subject) headers['OCI-Subject'] = pushed.subject;
  if (request.query.getAll('tag').length > 0) headers['OCI-Tag'] = pushed.tags.join(', ');
  return empty(201, headers);
};

export const deleteManifest: RouteHandler = async ({ registry, repo, param }) => {
  await registry.manifests.delete(repo, param);
  return empty(202);
};

export const getReferrers: RouteHandler = async ({ registry, repo, param, request }) => {
  const { digest } = parseDigest(param);
  const artifactType = request.query.get('artifactType') ?? undefined;
  const { body, filtered } = await registry.manifests.referrers(repo, digest, artifactType);
  return {
    status: 200,
    headers: {
      ...API_VERSION_HEADER,
      'Content-Type': 'application/vnd.oci.image.index.v1+json',
      'Content-Length': body.length,
      ...(filtered ? { 'OCI-Filters-Applied': 'artifactType' } : {}),
    },
    body,
  };
};
