import { parseRange } from './http-headers';
import { empty, API_VERSION_HEADER } from './responses';
import type { RouteHandler } from './route-table';

export const headBlob: RouteHandler = async ({ registry, repo, param }) => {
  const { digest, size } = await registry.blobs.stat(repo, param);
  return empty(200, {
    'Content-Length': size,
    'Content-Type': 'application/octet-stream',
    'Docker-Content-Digest': digest,
    'Accept-Ranges': 'bytes',
    ETag: `"${digest}"`,
  });
};

/** With redirects (AWS), a linked blob answers 307 to a short-lived URL; the client re-sends any Range there. */
export const getBlob: RouteHandler = async ({ registry, repo, param, request, blobRedirects }) => {
  if (blobRedirects) {
    const { digest } = await registry.blobs.stat(repo, param);
    const location = await blobRedirects.urlFor(digest);
    if (location !== undefined) return empty(307, { Location: location, 'Docker-Content-Digest': digest });
  }
  const blob = await registry.blobs.open(repo, param, parseRange(request.headers['range']));
  const headers = {
    ...API_VERSION_HEADER,
    'Content-Type': 'application/octet-stream',
    'Docker-Content-Digest': blob.digest,
    'Accept-Ranges': 'bytes',
    ETag: `"${blob.digest}"`,
  };
  if (!blob.range) return { status: 200, headers: { ...headers, 'Content-Length': blob.size }, body: blob.body };
  const { start, end } = blob.range;
  return {
    status: 206,
    headers: { ...headers, 'Content-Length': end - start + 1, 'Content-Range': `bytes ${start}-${end}/${blob.size}` },
    body: blob.body,
  };
};

export const deleteBlob: RouteHandler = async ({ registry, repo, param }) => {
  await registry.blobs.delete(repo, param);
  return empty(202);
};
