import { createHash } from 'node:crypto';
import { request as httpRequest } from 'node:http';

export const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
export const OCI_INDEX = 'application/vnd.oci.image.index.v1+json';
export const OCI_CONFIG = 'application/vnd.oci.image.config.v1+json';
export const OCI_LAYER = 'application/vnd.oci.image.layer.v1.tar+gzip';
export const OCI_EMPTY = 'application/vnd.oci.empty.v1+json';
export const DOCKER_MANIFEST = 'application/vnd.docker.distribution.manifest.v2+json';

export const sha256 = (bytes: Buffer | string) => `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
export const sha512 = (bytes: Buffer | string) => `sha512:${createHash('sha512').update(bytes).digest('hex')}`;

export interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
  json<T = unknown>(): T;
}

/**
 * A deliberately dumb HTTP client for black-box tests: sends the path byte-for-byte (fetch would
 * normalize `..` and `%2e%2e` away) and returns status, headers and the raw body.
 */
export function raw(
  base: string,
  method: string,
  path: string,
  options: { headers?: Record<string, string | number>; body?: Buffer | string } = {},
): Promise<RawResponse> {
  const url = new URL(base);
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: url.hostname, port: url.port, method, path, headers: options.headers ?? {}, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const body = Buffer.concat(chunks);
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body, json: () => JSON.parse(body.toString('utf8')) });
      });
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(options.body);
  });
}

/** Just enough of a registry client to arrange scenarios (push blobs and manifests). */
export class RegistryClient {
  constructor(
    readonly base: string,
    readonly authorization?: string,
  ) {}

  /** The same client, sending `Authorization: Basic base64(AWS:<token>)` as docker does after login. */
  withToken(token: string): RegistryClient {
    return new RegistryClient(this.base, `Basic ${Buffer.from(`AWS:${token}`).toString('base64')}`);
  }

  send(method: string, path: string, options: { headers?: Record<string, string | number>; body?: Buffer | string } = {}) {
    const headers = this.authorization ? { Authorization: this.authorization, ...options.headers } : options.headers;
    return raw(this.base, method, path, headers ? { ...options, headers } : options);
  }

  async pushBlob(repo: string, bytes: Buffer | string, digest = sha256(bytes)): Promise<string> {
    const res = await this.send('POST', `/v2/${repo}/blobs/uploads/?digest=${digest}`, {
      headers: { 'Content-Type': 'application/octet-stream', 'Content-Length': Buffer.byteLength(bytes) },
      body: bytes,
    });
    if (res.status !== 201) throw new Error(`push blob failed: ${res.status} ${res.body}`);
    return digest;
  }

  async putManifest(repo: string, reference: string, doc: unknown, mediaType: string, query = '') {
    const body = Buffer.from(typeof doc === 'string' ? doc : JSON.stringify(doc));
    const res = await this.send('PUT', `/v2/${repo}/manifests/${reference}${query}`, {
      headers: { 'Content-Type': mediaType, 'Content-Length': body.length },
      body,
    });
    return { res, digest: sha256(body), body };
  }

  /** Pushes a one-layer OCI image and tags it; returns the manifest digest and its descriptors. */
  async pushImage(repo: string, tag: string, seed = tag, extra: Record<string, unknown> = {}) {
    const config = Buffer.from(JSON.stringify({ architecture: 'amd64', os: 'linux', seed }));
    const layer = Buffer.from(`layer of ${seed}`);
    const configDigest = await this.pushBlob(repo, config);
    const layerDigest = await this.pushBlob(repo, layer);
    const manifest = {
      schemaVersion: 2,
      mediaType: OCI_MANIFEST,
      config: { mediaType: OCI_CONFIG, digest: configDigest, size: config.length },
      layers: [{ mediaType: OCI_LAYER, digest: layerDigest, size: layer.length }],
      ...extra,
    };
    const { res, digest, body } = await this.putManifest(repo, tag, manifest, OCI_MANIFEST);
    if (res.status !== 201) throw new Error(`push manifest failed: ${res.status} ${res.body}`);
    return { digest, size: body.length, body, configDigest, layerDigest };
  }
}
