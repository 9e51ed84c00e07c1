import { parseDigest } from '@cargohold/oci';
import type { HttpHandler, HttpRequest, HttpResponse } from '@cargohold/lambda-kit';
import type { RegistryStorage } from '@cargohold/storage-ports';
import type { Logger } from 'pino';

/** The digest of zero bytes: a stat of it reads storage without depending on what is stored. */
const PROBE_DIGEST = parseDigest('sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855').digest;
/** A probe that takes longer than this counts as a failure: a load balancer waits for nobody. */
const PROBE_TIMEOUT_MS = 2_000;
/** Probes within this long of the last answer share it, so a flood of checks costs storage nothing. */
const PROBE_REUSE_MS = 1_000;

type Check = 'ok' | 'unreachable';

/**
 * `/healthz` (the process is up) and `/readyz` (it can serve: metadata and blob storage both answer a
 * cheap read), unauthenticated, for load balancers and Kubernetes probes. Failures are logged with their
 * cause; the answer names only which dependency failed. (A stopping server needs no answer of its own:
 * it stops accepting connections at once, which probes see as a failure.)
 */
export function healthEndpoints(storage: Pick<RegistryStorage, 'registries' | 'blobs'>, registryId: string, logger: Logger) {
  let last: { at: number; answer: Promise<HttpResponse> } | undefined;

  const probe = async (what: string, read: () => Promise<unknown>): Promise<Check> => {
    let timer: NodeJS.Timeout | undefined;
    try {
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer within ${PROBE_TIMEOUT_MS} ms`)), PROBE_TIMEOUT_MS);
      });
      await Promise.race([read(), timeout]);
      return 'ok';
    } catch (err) {
      logger.warn({ err, what }, 'readiness probe failed');
      return 'unreachable';
    } finally {
      clearTimeout(timer);
    }
  };

  const ready = async (): Promise<HttpResponse> => {
    const [metadata, blobs] = await Promise.all([
      probe('metadata', () => storage.registries.get(registryId)),
      probe('blob storage', () => storage.blobs.stat(PROBE_DIGEST)),
    ]);
    const ok = metadata === 'ok' && blobs === 'ok';
    return answer(ok ? 200 : 503, { status: ok ? 'ok' : 'unavailable', checks: { metadata, blobs } });
  };

  const handler = (request: HttpRequest): Promise<HttpResponse> | undefined => {
    if (request.path === '/healthz') return Promise.resolve(answer(200, { status: 'ok' }));
    if (request.path !== '/readyz') return undefined;
    const now = Date.now();
    if (!last || now - last.at >= PROBE_REUSE_MS) last = { at: now, answer: ready() };
    return last.answer;
  };
  return {
    /** Wraps `api` so the two paths never reach it. */
    around:
      (api: HttpHandler): HttpHandler =>
      (request) =>
        handler(request) ?? api(request),
  };
}

function answer(status: number, body: object): HttpResponse {
  return { status, headers: { 'Content-Type': 'application/json', 'Cache-Control': 'no-store' }, body: Buffer.from(JSON.stringify(body)) };
}
