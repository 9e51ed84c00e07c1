import type { Readable } from 'node:stream';
import type { HttpResponse } from '@cargohold/lambda-kit';
import { RegistryError } from '@cargohold/oci';
import { BlobUnknownError, NameUnknownError } from '@cargohold/registry-core';
import { parseRange } from './http-headers';
import { empty, API_VERSION_HEADER } from './responses';
import type { FillRule } from './blob-fills';
import type { RouteContext, RouteHandler } from './route-table';

const isMiss = (error: unknown) => error instanceof BlobUnknownError || error instanceof NameUnknownError;

class FillRuleChangedError extends RegistryError {
  constructor() {
    super('DENIED', 'The pull-through cache rule this blob URL was issued for has changed: pull the blob again.');
  }
}

/** A blob read's outcome: what the route builds its answer from, or a redirect to where the blob is filled. */
type Read<T> = { readonly redirect: HttpResponse } | { readonly value: T };

/**
 * Runs a blob read; when it misses and a pull-through cache rule covers the repository: a server that
 * cannot carry a layer (a Lambda) redirects to the gateway that fills it; otherwise the blob is filled
 * here and read again, or the upstream's bytes are answered as they are stored (`streamed`).
 */
async function withPullThrough<T>(
  context: RouteContext,
  read: () => Promise<T>,
  streamed: (blob: { digest: string; size: number; body: Readable }) => T,
): Promise<Read<T>> {
  try {
    return { value: await read() };
  } catch (error) {
    const { pullThrough, locateFill, fill, repo, param } = context;
    if (!pullThrough || !isMiss(error)) throw error;
    if (locateFill) {
      const toGateway = (rule: FillRule) => ({ redirect: empty(307, { Location: locateFill(repo, param, rule), 'Docker-Content-Digest': param }) });
      const rule = await pullThrough.planBlobFill(repo, param, context.allows);
      if (rule) return toGateway(rule);
      try {
        return { value: await read() };
      } catch (again) {
        // Found stored, yet not readable here: the gateway is still publishing what it just filled. It
        // serves a stored blob as well as it fills one, so the client goes there rather than to a 404.
        const covering = isMiss(again) ? await pullThrough.coveringRule(repo) : undefined;
        if (!covering) throw again;
        return toGateway(covering);
      }
    }
    if (fill && !(await pullThrough.stillCovers(repo, fill))) throw new FillRuleChangedError();
    const fetched = await pullThrough.onBlobMiss(repo, param, context.allows);
    return { value: fetched ? streamed(fetched) : await read() };
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
  const read = await withPullThrough(context, stat, (blob) => {
    blob.body.resume();
    return { digest: blob.digest, size: blob.size };
  });
  if ('redirect' in read) return read.redirect;
  const { digest, size } = read.value;
  return empty(200, { ...blobHeaders(digest), 'Content-Length': size });
};

/** With redirects (AWS), a linked blob answers 307 to a short-lived URL; the client re-sends any Range there. */
export const getBlob: RouteHandler = async (context) => {
  const { registry, repo, param, request, blobRedirects } = context;
  if (blobRedirects) {
    const read = await withPullThrough(
      context,
      async () => {
        const { digest } = await registry.blobs.stat(repo, param);
        const location = await blobRedirects.urlFor(digest);
        return location === undefined ? undefined : empty(307, { Location: location, 'Docker-Content-Digest': digest });
      },
      (blob): HttpResponse => ({ status: 200, headers: { ...blobHeaders(blob.digest), 'Content-Length': blob.size }, body: blob.body }),
    );
    if ('redirect' in read) return read.redirect;
    if (read.value !== undefined) return read.value;
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
  const read = await withPullThrough(context, open, (blob): HttpResponse => ({
    status: 200,
    headers: { ...blobHeaders(blob.digest), 'Content-Length': blob.size },
    body: blob.body,
  }));
  return 'redirect' in read ? read.redirect : read.value;
};

export const deleteBlob: RouteHandler = async ({ registry, repo, param }) => {
  await registry.blobs.delete(repo, param);
  return empty(202);
};
