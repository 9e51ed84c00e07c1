import { digestOf, essenceOf, isDigest, MANIFEST_MEDIA_TYPES, parseDigest, parseReference, validateRepositoryName } from '@cargohold/oci';
import { systemResolve } from './address-guard';
import { discard, readCapped } from './body';
import {
  UpstreamDigestMismatchError,
  UpstreamError,
  UpstreamProtocolError,
  UpstreamRefusedError,
  UpstreamUnauthorizedError,
  UpstreamUnavailableError,
} from './errors';
import { statusError } from './status';
import { asUpstreamError, Transport } from './transport';
import type { UpstreamBlob, UpstreamCheck, UpstreamClient, UpstreamClientOptions, UpstreamManifest, UpstreamTarget } from './upstream-client';
import { UpstreamSession } from './upstream-session';
import { verifyingStream } from './verify-stream';

const DEFAULT_MAX_MANIFEST_BYTES = 4 * 1024 * 1024;
const DEFAULT_TIMEOUT_MS = 30_000;
const DEFAULT_USER_AGENT = 'cargohold-pull-through-cache';

export function createUpstreamClient(target: UpstreamTarget, options: UpstreamClientOptions = {}): UpstreamClient {
  const transport = new Transport({ insecure: target.insecure, resolve: options.resolve ?? systemResolve, timeoutMs: options.timeoutMs ?? DEFAULT_TIMEOUT_MS });
  const session = new UpstreamSession(transport, target, options.allowRedirectHosts ?? [], options.userAgent ?? DEFAULT_USER_AGENT);
  return new DistributionClient(session, options.maxManifestBytes ?? DEFAULT_MAX_MANIFEST_BYTES);
}

/** The pull side of the OCI distribution spec, over an authenticated, guarded session. */
class DistributionClient implements UpstreamClient {
  constructor(
    private readonly session: UpstreamSession,
    private readonly maxManifestBytes: number,
  ) {}

  async getManifest(repository: string, reference: string, accept: readonly string[] = MANIFEST_MEDIA_TYPES): Promise<UpstreamManifest> {
    const what = this.describe(repository, reference);
    const { response, url } = await this.session.send({
      method: 'GET',
      path: manifestPath(repository, reference),
      scope: pullScope(repository),
      accept: accept.join(', '),
    });
    if (response.statusCode !== 200) {
      discard(response);
      throw statusError(response.statusCode ?? 0, what);
    }
    const bytes = await readCapped(response, this.maxManifestBytes, url, this.session.timeoutMs);
    const expected = expectedDigest(reference, response.headers['docker-content-digest'], what);
    const actual = expected === undefined ? digestOf(bytes) : digestOf(bytes, parseDigest(expected).algorithm);
    if (expected !== undefined && actual !== expected) throw new UpstreamDigestMismatchError(expected, actual);
    return { digest: actual, mediaType: mediaTypeOf(response.headers['content-type'], bytes), bytes };
  }

  async headManifest(repository: string, reference: string, accept: readonly string[] = MANIFEST_MEDIA_TYPES) {
    const what = this.describe(repository, reference);
    const { response } = await this.session.send({
      method: 'HEAD',
      path: manifestPath(repository, reference),
      scope: pullScope(repository),
      accept: accept.join(', '),
    });
    discard(response);
    if (response.statusCode === 404) return undefined;
    if (response.statusCode !== 200) throw statusError(response.statusCode ?? 0, what);
    const digest = expectedDigest(reference, response.headers['docker-content-digest'], what);
    const size = Number(response.headers['content-length']);
    const mediaType = essenceOf(response.headers['content-type'] ?? '');
    // Without a digest (or size, or type) the answer says nothing we can trust: fetch and hash instead.
    if (digest === undefined || !Number.isSafeInteger(size) || mediaType === '') {
      const manifest = await this.getManifest(repository, reference, accept);
      return { digest: manifest.digest, mediaType: manifest.mediaType, size: manifest.bytes.length };
    }
    return { digest, mediaType, size };
  }

  async openBlob(repository: string, digest: string): Promise<UpstreamBlob> {
    parseDigest(digest);
    const what = `${this.session.host} blob ${repository}@${digest}`;
    const { response, url } = await this.session.send({ method: 'GET', path: `/v2/${checkedName(repository)}/blobs/${digest}`, scope: pullScope(repository) });
    if (response.statusCode !== 200) {
      discard(response);
      throw statusError(response.statusCode ?? 0, what);
    }
    const size = Number(response.headers['content-length']);
    if (!Number.isSafeInteger(size) || size < 0) {
      discard(response);
      throw new UpstreamProtocolError(`${what}: no Content-Length`);
    }
    const verifier = verifyingStream(digest);
    // An upstream failure errors the body (typed), and a consumer giving up on the body closes the upstream.
    response.on('error', (error) => verifier.destroy(asUpstreamError(url, error)));
    verifier.on('close', () => response.destroy());
    // A small body can be hashed (and fail) before the caller starts reading: the error then waits on the
    // stream (`errored`) for its reader, instead of crashing the process as an unheard 'error' event.
    verifier.on('error', () => undefined);
    response.pipe(verifier);
    return { size, body: verifier };
  }

  async check(): Promise<UpstreamCheck> {
    try {
      const { response } = await this.session.send({ method: 'GET', path: '/v2/', scope: '' });
      discard(response);
      if (response.statusCode === 200) return { reachable: true, authenticated: true };
      const error = statusError(response.statusCode ?? 0, `${this.session.host} /v2/`);
      return { reachable: !(error instanceof UpstreamUnavailableError), authenticated: false, failure: error.message };
    } catch (error) {
      if (error instanceof UpstreamUnauthorizedError) return { reachable: true, authenticated: false, failure: error.message };
      if (error instanceof UpstreamRefusedError) return { reachable: false, authenticated: false, refused: true, failure: error.message };
      if (error instanceof UpstreamError) return { reachable: false, authenticated: false, failure: error.message };
      throw error;
    }
  }

  private describe(repository: string, reference: string): string {
    return `${this.session.host} manifest ${repository}${isDigest(reference) ? '@' : ':'}${reference}`;
  }
}

function checkedName(repository: string): string {
  validateRepositoryName(repository);
  return repository;
}

function manifestPath(repository: string, reference: string): string {
  parseReference(reference);
  return `/v2/${checkedName(repository)}/manifests/${reference}`;
}

function pullScope(repository: string): string {
  return `repository:${repository}:pull`;
}

/** What the manifest bytes must hash to: the digest asked for, else the one the upstream claims (if any). */
function expectedDigest(reference: string, header: string | string[] | undefined, what: string): string | undefined {
  if (isDigest(reference)) return reference;
  if (header === undefined) return undefined;
  if (typeof header !== 'string' || !isDigest(header)) throw new UpstreamProtocolError(`${what}: invalid Docker-Content-Digest`);
  return header;
}

function mediaTypeOf(contentType: string | undefined, bytes: Buffer): string {
  const essence = essenceOf(contentType ?? '');
  if (essence !== '' && essence !== 'application/json' && essence !== 'application/octet-stream') return essence;
  try {
    const declared = (JSON.parse(bytes.toString('utf8')) as { mediaType?: unknown }).mediaType;
    return typeof declared === 'string' ? declared : essence;
  } catch {
    return essence;
  }
}
