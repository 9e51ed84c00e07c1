import type { RepoRef } from '@cargohold/storage-ports';
import { UploadInvalidError, type UploadState } from '@cargohold/registry-core';
import { hasBody, parseContentLength, parseContentRange } from './http-headers';
import { empty } from './responses';
import type { RouteContext, RouteHandler } from './route-table';

const blobLocation = (repo: RepoRef, digest: string) => `/v2/${repo.name}/blobs/${digest}`;

/** 202 for an upload in progress: where to send the next chunk and how much is already there. */
function inProgress({ repo, locateUpload }: RouteContext, state: UploadState, status = 202) {
  return empty(status, {
    Location: locateUpload(repo, state.id),
    Range: `0-${Math.max(state.size - 1, 0)}`,
    'Docker-Upload-UUID': state.id,
  });
}

function created(repo: RepoRef, digest: string) {
  return empty(201, { Location: blobLocation(repo, digest), 'Docker-Content-Digest': digest });
}

/** POST: start an upload, push a whole blob with `?digest=`, or mount with `?mount=&from=`. */
export const startUpload: RouteHandler = async (context) => {
  const { registry, repo, request, allows } = context;
  const mount = request.query.get('mount');
  const digest = request.query.get('digest');
  if (mount !== null) {
    const from = request.query.get('from') ?? undefined;
    // The core only offers a source in the same registry, so the request's own credentials decide.
    const canRead = async (source: RepoRef) => (await allows([{ action: 'ecr:GetDownloadUrlForLayer', repository: source.name }]))[0] === true;
    const result = await registry.uploads.mount(repo, mount, from, canRead);
    return result.mounted ? created(repo, result.digest) : inProgress(context, result.upload);
  }
  if (digest !== null) {
    const length = parseContentLength(request.headers['content-length']);
    const blob = await registry.uploads.putMonolithic(repo, digest, request.body, length);
    return created(repo, blob.digest);
  }
  return inProgress(context, await registry.uploads.start(repo));
};

export const uploadStatus: RouteHandler = async (context) => inProgress(context, await context.registry.uploads.status(context.repo, context.param), 204);

/** PATCH: a chunk with Content-Range (in order or 416) or a streamed body appended at the end. */
export const patchUpload: RouteHandler = async (context) => {
  const { registry, repo, param, request } = context;
  const range = parseContentRange(request.headers['content-range']);
  const length = parseContentLength(request.headers['content-length']);
  const state = await registry.uploads.append(repo, param, request.body, {
    ...(range ? { range } : {}),
    ...(length !== undefined ? { length } : {}),
  });
  return inProgress(context, state);
};

/** PUT `?digest=`: the last chunk (optional) and the commit. */
export const completeUpload: RouteHandler = async ({ registry, repo, param, request }) => {
  const digest = request.query.get('digest');
  if (digest === null) throw new UploadInvalidError('the digest query parameter is required to complete an upload');
  const range = parseContentRange(request.headers['content-range']);
  const length = parseContentLength(request.headers['content-length']);
  const body = hasBody(request.headers) ? request.body : undefined;
  const blob = await registry.uploads.complete(repo, param, digest, body, {
    ...(range ? { range } : {}),
    ...(length !== undefined ? { length } : {}),
  });
  return created(repo, blob.digest);
};

export const cancelUpload: RouteHandler = async ({ registry, repo, param }) => {
  await registry.uploads.cancel(repo, param);
  return empty(204);
};
