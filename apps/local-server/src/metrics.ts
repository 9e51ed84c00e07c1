import type { HttpHandler, HttpRequest, HttpResponse, RequestObservation, RequestOutcome } from '@cargohold/lambda-kit';
import type { StoreGauges } from '@cargohold/storage-sqlite';
import { collectDefaultMetrics, Counter, Gauge, Registry } from 'prom-client';
import { RequestTally } from './request-tally';

/** Latency buckets (seconds): manifest GETs take a millisecond, layer pushes minutes. */
const DURATION_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300];
/** Paths the server answers itself, outside any API: counted under their own route. */
const OWN_PATHS = new Set(['/healthz', '/readyz', '/metrics']);

export interface MetricsSources {
  /** The embedded store's waiting work; absent on `--backend aws` (the Lambdas own that work there). */
  readonly gauges?: { read(now: Date): StoreGauges };
}

/**
 * `/metrics` in the Prometheus text format, one registry per server (so several servers in one process
 * never share counters). Requests are labelled by route, which is the ECR action they were authorized as
 * (`ecr:BatchGetImage`, `DescribeImages`): a small, fixed set, never a repository name or a digest.
 */
export function createMetrics(sources: MetricsSources = {}) {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'cargohold_' });
  const requests = new RequestTally(DURATION_BUCKETS);
  const bestEffortFailures = new Counter({
    name: 'cargohold_best_effort_outages_total',
    help: 'Times a write the server may skip without failing the request (pull times) started failing: a sign of storage trouble',
    labelNames: ['what'],
    registers: [registry],
  });
  const gcRuns = new Counter({
    name: 'cargohold_gc_runs_total',
    help: 'Garbage collection passes, by outcome',
    labelNames: ['outcome'],
    registers: [registry],
  });
  const gcBlobs = new Counter({ name: 'cargohold_gc_blobs_deleted_total', help: 'Unreferenced blobs garbage collection deleted', registers: [registry] });
  const gcBytes = new Counter({ name: 'cargohold_gc_bytes_reclaimed_total', help: 'Storage bytes garbage collection reclaimed', registers: [registry] });
  const sweeps = new Counter({
    name: 'cargohold_lifecycle_sweeps_total',
    help: 'Lifecycle sweeps of one repository, by outcome',
    labelNames: ['outcome'],
    registers: [registry],
  });
  const lifecycleImages = new Counter({
    name: 'cargohold_lifecycle_images_total',
    help: 'Images the lifecycle sweeper acted on, by action (expire, transition)',
    labelNames: ['action'],
    registers: [registry],
  });
  const { gauges } = sources;
  const store = gauges ? storeGauges(registry, gauges) : undefined;
  const scrape = async (request: HttpRequest): Promise<HttpResponse> => {
    if (request.method !== 'GET' && request.method !== 'HEAD') return { status: 405, headers: { Allow: 'GET, HEAD' } };
    store?.refresh();
    // prom-client's families end with a newline; the request families follow as one more block of them.
    const text = `${await registry.metrics()}\n${requests.exposition().join('\n\n')}\n`;
    return { status: 200, headers: { 'Content-Type': registry.contentType, 'Cache-Control': 'no-store' }, body: text };
  };

  return {
    /** For the transport: counts one finished exchange. */
    record(observed: RequestObservation, outcome: RequestOutcome): void {
      const route = observed.action || (OWN_PATHS.has(outcome.path) ? outcome.path : 'none');
      requests.record(route, outcome.method, outcome.status, outcome.ms / 1000, outcome.bytesIn ?? 0, outcome.bytesOut ?? 0);
    },
    bestEffortFailure(what: string): void {
      bestEffortFailures.inc({ what });
    },
    /** A garbage collection pass ended: its report, or undefined when it failed. */
    gcPass(report: { readonly blobsDeleted: number; readonly bytesReclaimed: number } | undefined): void {
      gcRuns.inc({ outcome: report ? 'success' : 'failure' });
      if (report) {
        gcBlobs.inc(report.blobsDeleted);
        gcBytes.inc(report.bytesReclaimed);
      }
    },
    /** A lifecycle sweep of one repository ended: what it acted on, or undefined when it failed. */
    lifecycleSweep(acted: { readonly expired: number; readonly transitioned: number } | undefined): void {
      sweeps.inc({ outcome: acted ? 'success' : 'failure' });
      if (acted) {
        lifecycleImages.inc({ action: 'expire' }, acted.expired);
        lifecycleImages.inc({ action: 'transition' }, acted.transitioned);
      }
    },
    /** Answers `GET /metrics`; every other request goes to `api`. */
    around:
      (api: HttpHandler): HttpHandler =>
      // Not async itself: every request passes through, and an async wrapper returning api's promise
      // costs each of them another promise and three microtask turns.
      (request) =>
        request.path === '/metrics' ? scrape(request) : api(request),
  };
}

export type Metrics = ReturnType<typeof createMetrics>;

/** Gauges read from the store when scraped, so they are exact at that moment and cost nothing between scrapes. */
function storeGauges(registry: Registry, source: { read(now: Date): StoreGauges }): { refresh(): void } {
  // One read per scrape, taken before the scrape collects (refresh), shared by every gauge.
  let snapshot: StoreGauges | undefined;
  const read = (): StoreGauges => (snapshot ??= source.read(new Date()));
  new Gauge({
    name: 'cargohold_upload_sessions_active',
    help: 'Upload sessions started and not yet completed, cancelled or expired',
    registers: [registry],
    collect() {
      this.set(read().uploadSessions);
    },
  });
  new Gauge({
    name: 'cargohold_outbox_depth',
    help: 'Events recorded and not yet delivered to their consumers',
    registers: [registry],
    collect() {
      this.set(read().outboxDepth);
    },
  });
  new Gauge({
    name: 'cargohold_outbox_oldest_event_age_seconds',
    help: 'Age of the oldest undelivered event (0 when none waits)',
    registers: [registry],
    collect() {
      this.set(read().outboxOldestAgeSeconds);
    },
  });
  new Gauge({
    name: 'cargohold_outbox_dead_letters',
    help: 'Events that failed every delivery attempt and wait for an operator',
    registers: [registry],
    collect() {
      this.set(read().deadLetters);
    },
  });
  new Gauge({
    name: 'cargohold_scans',
    help: 'Image scans by status (IN_PROGRESS, COMPLETE, FAILED, …)',
    labelNames: ['status'],
    registers: [registry],
    collect() {
      this.reset();
      for (const [status, count] of Object.entries(read().scans)) this.set({ status }, count);
    },
  });
  return {
    refresh: () => {
      snapshot = undefined;
    },
  };
}
