import { Counter, Histogram, Registry } from 'prom-client';
import { RequestTally } from './request-tally';

const BOUNDS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300];

/** What prom-client printed before the tally replaced it: the same families, fed the same requests. */
function promClientMetrics() {
  const registry = new Registry();
  const registers = [registry];
  const requests = new Counter({
    name: 'cargohold_http_requests_total',
    help: 'HTTP requests answered, by route (the ECR action), method and status',
    labelNames: ['route', 'method', 'status'],
    registers,
  });
  const duration = new Histogram({
    name: 'cargohold_http_request_duration_seconds',
    help: 'Time from the request line to the last byte of the response, by route and method',
    labelNames: ['route', 'method'],
    buckets: BOUNDS,
    registers,
  });
  const bytesIn = new Counter({
    name: 'cargohold_http_received_bytes_total',
    help: 'Request bytes received (request line, headers and body), by route',
    labelNames: ['route'],
    registers,
  });
  const bytesOut = new Counter({
    name: 'cargohold_http_sent_bytes_total',
    help: 'Response bytes sent (status line, headers and body), by route',
    labelNames: ['route'],
    registers,
  });
  return {
    registry,
    record(route: string, method: string, status: number, seconds: number, inBytes: number, outBytes: number) {
      requests.inc({ route, method, status: String(status) });
      duration.observe({ route, method }, seconds);
      if (inBytes) bytesIn.inc({ route }, inBytes);
      if (outBytes) bytesOut.inc({ route }, outBytes);
    },
  };
}

/** Each sample line as `name{labels in name order} value`, and the HELP/TYPE lines, order-free. */
function samples(text: string): string[] {
  return text
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => {
      const match = /^([a-z_]+)\{(.*)\} (\S+)$/.exec(line);
      if (!match) return line;
      const labels = (match[2] as string).match(/[a-z_]+="(?:[^"\\]|\\.)*"/g) ?? [];
      return `${match[1]}{${[...labels].sort().join(',')}} ${match[3]}`;
    })
    .sort();
}

const REQUESTS: [string, string, number, number, number, number][] = [
  ['ecr:BatchGetImage', 'GET', 200, 0.0004, 310, 1020],
  ['ecr:BatchGetImage', 'GET', 200, 0.001, 310, 1020], // on a bound: counted in that bucket
  ['ecr:BatchGetImage', 'GET', 404, 0.0031, 305, 190],
  ['ecr:BatchGetImage', 'HEAD', 200, 0.02, 300, 0], // no bytes out: no sample for them
  ['ecr:InitiateLayerUpload,ecr:UploadLayerPart,ecr:CompleteLayerUpload', 'POST', 201, 1.7, 40_000, 250],
  ['ecr:PutImage', 'PUT', 201, 301, 900, 200], // beyond every bound
  ['none', 'GET', 404, 0.0002, 0, 120],
  ['odd "route" \\ with\nnewline', 'GET', 500, 0.05, 10, 10],
];

describe('RequestTally', () => {
  it('prints what prom-client printed for the same requests, sample for sample', async () => {
    const reference = promClientMetrics();
    const tally = new RequestTally(BOUNDS);
    for (const request of REQUESTS) {
      reference.record(...request);
      tally.record(...request);
    }
    const expected = samples(await reference.registry.metrics());
    expect(samples(tally.exposition().join('\n\n'))).toEqual(expected);
    // Not vacuous: every family, every bucket and the +Inf bucket are there.
    expect(expected).toContain('cargohold_http_requests_total{method="GET",route="ecr:BatchGetImage",status="200"} 2');
    expect(expected).toContain('cargohold_http_request_duration_seconds_bucket{le="+Inf",method="PUT",route="ecr:PutImage"} 1');
    expect(expected).toContain('cargohold_http_request_duration_seconds_bucket{le="300",method="PUT",route="ecr:PutImage"} 0');
    expect(expected).toContain('# TYPE cargohold_http_request_duration_seconds histogram');
    expect(expected.filter((line) => line.startsWith('cargohold_http_received_bytes_total'))).toHaveLength(4);
  });

  it('prints each family with no samples before the first request, as prom-client did', async () => {
    const reference = promClientMetrics();
    expect(samples(new RequestTally(BOUNDS).exposition().join('\n\n'))).toEqual(samples(await reference.registry.metrics()));
  });
});
