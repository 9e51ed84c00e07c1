import { emfMetricFields } from '@cargohold/lambda-kit';
import type { GcReport } from '@cargohold/registry-core';

/**
 * Stop a pass this long before Lambda's timeout: the blob in hand finishes (a claim, a DynamoDB query, an
 * S3 delete: well under a second) and the summary line is written, so no run ends killed mid-delete.
 */
export const STOP_MARGIN_MS = 60_000;

/** Aborts when the invocation has STOP_MARGIN_MS left; already aborted when it has less now. */
export function deadlineSignal(remainingMs: number): AbortSignal {
  const budget = remainingMs - STOP_MARGIN_MS;
  return budget > 0 ? AbortSignal.timeout(budget) : AbortSignal.abort(new Error('no time left for a garbage collection pass'));
}

/** A pass's figures as CloudWatch metrics (namespace cargohold, dimension Service) in its summary log line. */
export function gcMetricFields(service: string, report: GcReport, now = Date.now()): Record<string, unknown> {
  return emfMetricFields(
    service,
    [
      { name: 'GcBlobsScanned', value: report.blobsScanned, unit: 'Count' },
      { name: 'GcBlobsDeleted', value: report.blobsDeleted, unit: 'Count' },
      { name: 'GcBytesReclaimed', value: report.bytesReclaimed, unit: 'Bytes' },
      { name: 'GcLinksRemoved', value: report.linksRemoved, unit: 'Count' },
      { name: 'GcSessionsExpired', value: report.sessionsExpired, unit: 'Count' },
      { name: 'GcMultipartAborted', value: report.multipartAborted, unit: 'Count' },
      { name: 'GcDuration', value: report.durationMs, unit: 'Milliseconds' },
      // 1 when the pass ran out of time: a sustained 1 means a daily pass no longer covers the bucket.
      { name: 'GcIncomplete', value: report.complete ? 0 : 1, unit: 'Count' },
    ],
    now,
  );
}
