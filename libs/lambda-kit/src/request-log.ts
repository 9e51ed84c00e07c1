import { randomUUID } from 'node:crypto';
import type { RequestObservation } from './http';

/** The response header that carries a request's id, on the ECR API as on AWS and on `/v2/` alike. */
export const REQUEST_ID_HEADER = 'x-amzn-RequestId';

/** A fresh observation for a request the transport just received (API Gateway passes its own id). */
export function observeRequest(requestId: string = randomUUID()): RequestObservation {
  return { requestId };
}

/** What the transport measured about one exchange. */
export interface RequestOutcome {
  readonly method: string;
  /** The path only: query strings carry download tokens and upload capabilities, which are never logged. */
  readonly path: string;
  readonly status: number;
  readonly bytesIn?: number;
  readonly bytesOut?: number;
  readonly ms: number;
}

/**
 * The fields of a request's one log line: who (principal, registry), what (ECR action, repository), how
 * it went (status, bytes, duration). Built only from the observation and the outcome, neither of which
 * ever holds a credential, so nothing secret can reach the log through it.
 */
export function requestLogFields(observed: RequestObservation | undefined, outcome: RequestOutcome): Record<string, unknown> {
  const fields: Record<string, unknown> = { requestId: observed?.requestId, method: outcome.method, path: outcome.path, status: outcome.status };
  if (observed?.action) fields['action'] = observed.action;
  if (observed?.registry) fields['account'] = observed.registry.split(':')[0];
  if (observed?.registry) fields['registry'] = observed.registry;
  if (observed?.repository) fields['repository'] = observed.repository;
  if (observed?.principal) fields['principal'] = observed.principal;
  if (outcome.bytesIn !== undefined) fields['bytesIn'] = outcome.bytesIn;
  if (outcome.bytesOut !== undefined) fields['bytesOut'] = outcome.bytesOut;
  fields['ms'] = Math.round(outcome.ms * 10) / 10;
  return fields;
}
