import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { buffer } from 'node:stream/consumers';
import { bytesBody, type HttpHandler } from '@cargohold/lambda-kit';

export const sha256 = (bytes: Buffer): string => `sha256:${createHash('sha256').update(bytes).digest('hex')}`;

export interface Answer {
  readonly status: number;
  readonly headers: Readonly<Record<string, string | number>>;
  readonly body: Buffer;
}

/** One request to the `/v2/` handler, as node:http would hand it over, with the body read whole. */
export async function call(api: HttpHandler, method: string, target: string, body?: Buffer, headers: Record<string, string> = {}): Promise<Answer> {
  const url = new URL(target, 'http://registry.test');
  const response = await api({
    method,
    path: url.pathname,
    query: url.searchParams,
    headers: { host: 'registry.test', ...(body ? { 'content-length': String(body.length), 'content-type': 'application/octet-stream' } : {}), ...headers },
    body: bytesBody(body ?? Buffer.alloc(0)),
  });
  const raw = response.body;
  const bytes = raw === undefined ? Buffer.alloc(0) : raw instanceof Readable ? await buffer(raw) : Buffer.from(raw);
  return { status: response.status, headers: response.headers, body: bytes };
}

/** A blob in one request: `POST …/blobs/uploads/?digest=` (S3: PutObject, or multipart past 5 MiB). */
export const pushMonolithic = (api: HttpHandler, repo: string, blob: Buffer): Promise<Answer> =>
  call(api, 'POST', `/v2/${repo}/blobs/uploads/?digest=${sha256(blob)}`, blob);

/** A blob in an upload session: POST, one PATCH, then PUT (S3: parts or a tail, then CopyObject into blobs/). */
export async function pushChunked(api: HttpHandler, repo: string, blob: Buffer): Promise<Answer> {
  const opened = await call(api, 'POST', `/v2/${repo}/blobs/uploads/`);
  if (opened.status !== 202) return opened;
  const location = String(opened.headers['location'] ?? opened.headers['Location']);
  const patched = await call(api, 'PATCH', location, blob, { 'content-range': `0-${blob.length - 1}` });
  if (patched.status !== 202) return patched;
  const next = String(patched.headers['location'] ?? patched.headers['Location']);
  return call(api, 'PUT', `${next}${next.includes('?') ? '&' : '?'}digest=${sha256(blob)}`);
}

export const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';

/** An image manifest over a config and layers (already pushed), as exact bytes. */
export function imageManifest(config: Buffer, layers: readonly Buffer[]): Buffer {
  const descriptor = (mediaType: string, bytes: Buffer) => ({ mediaType, digest: sha256(bytes), size: bytes.length });
  return Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: OCI_MANIFEST,
      config: descriptor('application/vnd.oci.image.config.v1+json', config),
      layers: layers.map((layer) => descriptor('application/vnd.oci.image.layer.v1.tar', layer)),
    }),
  );
}

export const putManifest = (api: HttpHandler, repo: string, reference: string, manifest: Buffer): Promise<Answer> =>
  call(api, 'PUT', `/v2/${repo}/manifests/${reference}`, manifest, { 'content-type': OCI_MANIFEST });
