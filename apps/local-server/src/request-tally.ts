/**
 * The HTTP request metrics, counted in plain maps as requests finish and printed in the Prometheus text
 * format only when scraped. prom-client hashes a label object on every `inc` and `observe`, four times
 * per request here: about a microsecond and a fifth of the garbage of a cached manifest GET. Routes,
 * methods and statuses are few (routes are ECR actions), so a map per label is both exact and small.
 *
 * The text is what prom-client printed for the same counters and histogram (request-tally.spec.ts
 * compares them sample by sample), so dashboards and alerts read it unchanged.
 */

/** One route and method: requests by status, the duration histogram, bytes both ways. */
interface Tally {
  readonly statuses: Map<number, number>;
  /** Requests per duration bucket, not cumulative; the last one is beyond every bound (+Inf). */
  readonly buckets: number[];
  sum: number;
  count: number;
  bytesIn: number;
  bytesOut: number;
}

/** The families printed, with prom-client's HELP lines for them. */
const FAMILIES = {
  requests: {
    name: 'cargohold_http_requests_total',
    help: 'HTTP requests answered, by route (the ECR action), method and status',
  },
  duration: {
    name: 'cargohold_http_request_duration_seconds',
    help: 'Time from the request line to the last byte of the response, by route and method',
  },
  bytesIn: {
    name: 'cargohold_http_received_bytes_total',
    help: 'Request bytes received (request line, headers and body), by route',
  },
  bytesOut: {
    name: 'cargohold_http_sent_bytes_total',
    help: 'Response bytes sent (status line, headers and body), by route',
  },
} as const;

export class RequestTally {
  /** route → method → tally. */
  private readonly tallies = new Map<string, Map<string, Tally>>();

  /** `bounds`: the histogram's upper bounds in seconds, ascending. */
  constructor(private readonly bounds: readonly number[]) {}

  record(route: string, method: string, status: number, seconds: number, bytesIn: number, bytesOut: number): void {
    let byMethod = this.tallies.get(route);
    if (byMethod === undefined) this.tallies.set(route, (byMethod = new Map()));
    let tally = byMethod.get(method);
    if (tally === undefined) {
      tally = { statuses: new Map(), buckets: new Array<number>(this.bounds.length + 1).fill(0), sum: 0, count: 0, bytesIn: 0, bytesOut: 0 };
      byMethod.set(method, tally);
    }
    tally.statuses.set(status, (tally.statuses.get(status) ?? 0) + 1);
    let bucket = 0;
    while (bucket < this.bounds.length && seconds > (this.bounds[bucket] as number)) bucket++;
    tally.buckets[bucket] = (tally.buckets[bucket] as number) + 1;
    tally.sum += seconds;
    tally.count++;
    tally.bytesIn += bytesIn;
    tally.bytesOut += bytesOut;
  }

  /** The four families in the text format (version 0.0.4), each as prom-client prints a family. */
  exposition(): string[] {
    const requests: string[] = [];
    const duration: string[] = [];
    const bytesIn = new Map<string, number>();
    const bytesOut = new Map<string, number>();
    for (const [route, byMethod] of this.tallies) {
      for (const [method, tally] of byMethod) {
        const labels = `route="${escapeLabel(route)}",method="${escapeLabel(method)}"`;
        for (const [status, count] of tally.statuses) requests.push(`${FAMILIES.requests.name}{${labels},status="${status}"} ${count}`);
        let cumulative = 0;
        this.bounds.forEach((bound, i) => {
          cumulative += tally.buckets[i] as number;
          duration.push(`${FAMILIES.duration.name}_bucket{le="${bound}",${labels}} ${cumulative}`);
        });
        duration.push(`${FAMILIES.duration.name}_bucket{le="+Inf",${labels}} ${tally.count}`);
        duration.push(`${FAMILIES.duration.name}_sum{${labels}} ${tally.sum}`);
        duration.push(`${FAMILIES.duration.name}_count{${labels}} ${tally.count}`);
        // prom-client counted bytes only when there were some, so a route without any has no sample.
        if (tally.bytesIn > 0) bytesIn.set(route, (bytesIn.get(route) ?? 0) + tally.bytesIn);
        if (tally.bytesOut > 0) bytesOut.set(route, (bytesOut.get(route) ?? 0) + tally.bytesOut);
      }
    }
    const byRoute = (name: string, totals: Map<string, number>) => [...totals].map(([route, total]) => `${name}{route="${escapeLabel(route)}"} ${total}`);
    return [
      family(FAMILIES.requests, 'counter', requests),
      family(FAMILIES.duration, 'histogram', duration),
      family(FAMILIES.bytesIn, 'counter', byRoute(FAMILIES.bytesIn.name, bytesIn)),
      family(FAMILIES.bytesOut, 'counter', byRoute(FAMILIES.bytesOut.name, bytesOut)),
    ];
  }
}

function family({ name, help }: { readonly name: string; readonly help: string }, type: string, samples: string[]): string {
  return [`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`, ...samples].join('\n');
}

/** A label value as the text format quotes it (prom-client's escaping). */
function escapeLabel(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');
}
