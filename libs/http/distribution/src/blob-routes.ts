import type { Readable } from 'node:stream';
import { BlobUnknownError, NameUnknownError } from '@cargohold/registry-core';
import { parseRange } from './http-headers';
import { empty, API_VERSION_HEADER } from './responses';
import type { RouteContext, RouteHandler } from './route-table';

const isMiss = (error: unknown) => error instanceof BlobUnknownError || error instanceof NameUnknownError;

/**
 * Runs a blob read; when it misses and the pull-through cache fills the blob, reads again, or answers
 * the upstream's bytes as they are stored (`streamed`).
 */
async function withPullThrough<T>(
  context: RouteContext,
  read: () => Promise<T>,
  streamed: (blob: { digest: string; size: number; body: Readable }) => T,
): Promise<T> {
  try {
    return await read();
  } catch (error) {
    if (!context.pullThrough || !isMiss(error)) throw error;
    const fetched = await context.pullThrough.onBlobMiss(context.repo, context.param, context.allows);
    return fetched ? streamed(fetched) : read();
  }
}

const blobHeaders = (digest: string) => ({
  ...API_VERSION_HEADER,
  'Content-Type': 'application/octet-stream',
  'Docker-Content-Digest': digest,
  'Accept-Ranges': 'bytes',
  ETag: `"${digest}"`,
});

export const headBlob: RouteHandler = async (context) => {
  const { registry, repo, param } = context;
  const stat = async () => registry.blobs.stat(repo, param);
  // A HEAD of a blob still streaming in waits for it: the stat after the fetch answers.
  const { digest, size } = await withPullThrough(context, stat, (blob) => {
    blob.body.resume();
    return { digest: blob.digest, size: blob.size };
  });
  return empty(200, { ...blobHeaders(digest), 'Content-Length': size });
};

/** With redirects (AWS), a linked blob answers 307 to a short-lived URL; the client re-sends any Range there. */
export const getBlob: RouteHandler = async (context) => {
  const { registry, repo, param, request, blobRedirects } = context;
  if (blobRedirects) {
    const redirect = await withPullThrough(
      context,
      async () => {
        const { digest } = await registry.blobs.stat(repo, param);
        const location = await blobRedirects.urlFor(digest);
        return location === undefined ? undefined : empty(307, { Location: location, 'Docker-Content-Digest': digest });
      },
      (blob) => ({ status: 200, headers: { ...blobHeaders(blob.digest), 'Content-Length': blob.size }, body: blob.body }),
    );
    if (redirect !== undefined) return redirect;
  }
  const open = async () => {
    const blob = await registry.blobs.open(repo, param, parseRange(request.headers['range']));
    const headers = blobHeaders(blob.digest);
    if (!blob.range) return { status: 200, headers: { ...headers, 'Content-Length': blob.size }, body: blob.body };
    const { start, end } = blob.range;
    return {
      status: 206,
      headers: { ...headers, 'Content-Length': end - start + 1, 'Content-Range': `bytes ${start}-${end}/${blob.size}` },
      body: blob.body,
    };
  };
  // A ranged GET of a blob not cached yet gets the whole blob (200): allowed by RFC 9110, and it caches it.
  return withPullThrough(context, open, (blob) => ({ status: 200, headers: { ...blobHeaders(blob.digest), 'Content-Length': blob.size }, body: blob.body }));
};

export const deleteBlob: RouteHandler = async ({ registry, repo, param }) => {
  await registry.blobs.delete(repo, param);
  return empty(202);
};
