import type { RequestObservation } from './http';
import type { RequestOutcome } from './request-log';

/** The CloudWatch namespace of cargohold's own metrics (the dashboard and alarms in serverless.yml read it). */
export const METRICS_NAMESPACE = 'cargohold';

/**
 * A request's figures as CloudWatch Embedded Metric Format fields, merged into its request log line: Lambda
 * ships the line to CloudWatch Logs, which extracts the metrics from it, so no agent and no PutMetricData
 * call (nor its latency) is needed. Dimensions: the function (`Service`), and the function with the route
 * (the ECR action; a small fixed set, so the metric count stays bounded).
 */
export function emfFields(service: string, observed: RequestObservation | undefined, outcome: RequestOutcome, now = Date.now()): Record<string, unknown> {
  return {
    _aws: {
      Timestamp: now,
      CloudWatchMetrics: [
        {
          Namespace: METRICS_NAMESPACE,
          Dimensions: [['Service'], ['Service', 'Route']],
          Metrics: [
            { Name: 'Requests', Unit: 'Count' },
            { Name: 'ServerErrors', Unit: 'Count' },
            { Name: 'ClientErrors', Unit: 'Count' },
            { Name: 'Latency', Unit: 'Milliseconds' },
            { Name: 'BytesOut', Unit: 'Bytes' },
          ],
        },
      ],
    },
    Service: service,
    Route: observed?.action || 'none',
    Requests: 1,
    ServerErrors: outcome.status >= 500 ? 1 : 0,
    ClientErrors: outcome.status >= 400 && outcome.status < 500 ? 1 : 0,
    Latency: Math.round(outcome.ms * 10) / 10,
    BytesOut: outcome.bytesOut ?? 0,
  };
}

/** One figure of a run (a scheduled job's pass), in CloudWatch's unit names. */
export interface EmfMetric {
  readonly name: string;
  readonly value: number;
  readonly unit: 'Count' | 'Bytes' | 'Milliseconds';
}

/**
 * A run's figures as EMF fields for its summary log line (as emfFields does for a request), with the
 * function as the one dimension (`Service`): one data point per metric per run.
 */
export function emfMetricFields(service: string, metrics: readonly EmfMetric[], now = Date.now()): Record<string, unknown> {
  return {
    _aws: {
      Timestamp: now,
      CloudWatchMetrics: [{ Namespace: METRICS_NAMESPACE, Dimensions: [['Service']], Metrics: metrics.map((m) => ({ Name: m.name, Unit: m.unit })) }],
    },
    Service: service,
    ...Object.fromEntries(metrics.map((m) => [m.name, m.value])),
  };
}
