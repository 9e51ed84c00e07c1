// Minimal OCI Distribution client for the raw-HTTP measurements: blob uploads (monolithic), blob GETs,
// manifest PUTs. node:http with keep-alive agents, no retries, every request bounded by a timeout.
import { createHash } from 'node:crypto';
import { Agent, request } from 'node:http';

export const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
export const OCI_CONFIG = 'application/vnd.oci.image.config.v1+json';
export const OCI_LAYER = 'application/vnd.oci.image.layer.v1.tar';
export const MANIFEST_ACCEPT = [
  OCI_MANIFEST,
  'application/vnd.oci.image.index.v1+json',
  'application/vnd.docker.distribution.manifest.v2+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
].join(', ');

export const sha256 = (bytes) => `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
export const keepAlive = (maxSockets = 8) => new Agent({ keepAlive: true, maxSockets });

/**
 * One HTTP exchange. `body` is a Buffer, or a function returning a fresh Readable (sent with the given
 * Content-Length). The response body is collected unless `discard` is set (then only counted).
 */
export function http(url, { method = 'GET', headers = {}, body, agent, discard = false, timeoutMs = 600_000 } = {}) {
  return new Promise((resolve, reject) => {
    const req = request(url, { method, headers, agent }, (res) => {
      const chunks = [];
      let bytes = 0;
      res.on('data', (chunk) => {
        bytes += chunk.length;
        if (!discard) chunks.push(chunk);
      });
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks), bytes }));
      res.on('error', reject);
    });
    req.setTimeout(timeoutMs, () => req.destroy(new Error(`${method} ${url}: timed out after ${timeoutMs} ms`)));
    req.on('error', reject);
    if (typeof body === 'function') {
      const source = body();
      source.on('error', (error) => req.destroy(error));
      source.pipe(req);
    } else {
      req.end(body);
    }
  });
}

function expect(response, status, what) {
  if (response.status !== status) {
    throw new Error(`${what}: expected ${status}, got ${response.status}: ${response.body.toString().slice(0, 300)}`);
  }
  return response;
}

/**
 * How the server takes a whole blob in one go. 'post': a single POST ?digest= with the body (OCI
 * "single POST" monolithic upload). 'post-put': POST opens a session (202), PUT ?digest= carries the body
 * (distribution ignores a POST body). Probed once per server with a tiny blob.
 */
export async function probeMonolithicMode(base, agent) {
  const blob = Buffer.from(`probe ${Date.now()} ${Math.random()}`);
  const digest = sha256(blob);
  const response = await http(`${base}/v2/bench/probe/blobs/uploads/?digest=${digest}`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/octet-stream', 'Content-Length': blob.length },
    body: blob,
    agent,
  });
  if (response.status === 201) return 'post';
  if (response.status === 202) return 'post-put';
  throw new Error(`monolithic probe: unexpected ${response.status}: ${response.body.toString().slice(0, 300)}`);
}

/** Uploads one blob monolithically. `body`: Buffer or () => Readable of exactly `size` bytes. */
export async function uploadBlob(base, repo, digest, size, body, { mode, agent }) {
  const headers = { 'Content-Type': 'application/octet-stream', 'Content-Length': size };
  if (mode === 'post') {
    const url = `${base}/v2/${repo}/blobs/uploads/?digest=${digest}`;
    return expect(await http(url, { method: 'POST', headers, body, agent }), 201, `POST ${repo} ${digest}`);
  }
  const opened = expect(
    await http(`${base}/v2/${repo}/blobs/uploads/`, { method: 'POST', headers: { 'Content-Length': 0 }, agent }),
    202,
    `POST ${repo}/blobs/uploads/`,
  );
  const location = new URL(opened.headers.location, base);
  location.searchParams.set('digest', digest);
  return expect(await http(location, { method: 'PUT', headers, body, agent }), 201, `PUT ${repo} ${digest}`);
}

export async function putManifest(base, repo, reference, bytes, mediaType, agent) {
  const headers = { 'Content-Type': mediaType, 'Content-Length': bytes.length };
  const url = `${base}/v2/${repo}/manifests/${reference}`;
  return expect(await http(url, { method: 'PUT', headers, body: bytes, agent }), 201, `PUT manifest ${repo}:${reference}`);
}

/** A one-layer image pushed by raw HTTP; returns the manifest bytes stored under `tag`. */
export async function seedImage(base, repo, tag, agent) {
  const mode = await probeMonolithicMode(base, agent);
  const layer = Buffer.alloc(2048, 7);
  const config = Buffer.from(JSON.stringify({ architecture: 'amd64', os: 'linux', rootfs: { type: 'layers', diff_ids: [sha256(layer)] } }));
  for (const blob of [layer, config]) await uploadBlob(base, repo, sha256(blob), blob.length, blob, { mode, agent });
  const manifest = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: OCI_MANIFEST,
      config: { mediaType: OCI_CONFIG, digest: sha256(config), size: config.length },
      layers: [{ mediaType: OCI_LAYER, digest: sha256(layer), size: layer.length }],
    }),
  );
  await putManifest(base, repo, tag, manifest, OCI_MANIFEST, agent);
  return manifest;
}
