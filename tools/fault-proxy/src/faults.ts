import { randomBytes } from 'node:crypto';

/** The errors S3 answers under load or in trouble, with the status it answers them with. */
const S3_ERRORS = {
  InternalError: { status: 500, message: 'We encountered an internal error. Please try again.' },
  SlowDown: { status: 503, message: 'Please reduce your request rate.' },
  ServiceUnavailable: { status: 503, message: 'Service is unable to handle request.' },
} as const;
export type S3ErrorCode = keyof typeof S3_ERRORS;

/** DynamoDB's throttling errors (JSON 1.0, status 400) and its own 500. */
const JSON_ERRORS = {
  ProvisionedThroughputExceededException: {
    status: 400,
    type: 'com.amazonaws.dynamodb.v20120810#ProvisionedThroughputExceededException',
    message: 'The level of configured provisioned throughput for the table was exceeded. Consider increasing your provisioning level with the UpdateTable API.',
  },
  ThrottlingException: { status: 400, type: 'com.amazon.coral.availability#ThrottlingException', message: 'Rate of requests exceeds the allowed throughput.' },
  InternalServerError: { status: 500, type: 'com.amazonaws.dynamodb.v20120810#InternalServerError', message: 'Internal server error' },
} as const;
export type JsonErrorType = keyof typeof JSON_ERRORS;

/** The reason DynamoDB gives for the item of a cancelled transaction that made it fail. */
export type CancellationCode = 'ConditionalCheckFailed' | 'TransactionConflict' | 'ThrottlingError';

/**
 * What the proxy does to one request instead of (or around) forwarding it.
 * - `s3-error` / `json-error` / `transaction-canceled`: answer an error as the service writes it, having
 *   read the whole request body (nothing reaches the emulator);
 * - `timeout`: read the request and never answer: the client's own timeout must give up;
 * - `hold`: stop the request where it is (before it reaches the emulator, or `afterUpstream`: once the
 *   emulator answered, before the client hears it) and call `onHeld`; it stays held until the proxy stops
 *   (a test kills the process that sent it);
 * - `before`: run `action` (a concurrent writer, say), then forward;
 * - `rewrite`: forward, then hand the client `rewrite(body)` instead of the emulator's body;
 * - `respond`: answer `respond(request body)` without any emulator (EventBridge has none).
 */
export type Fault =
  | { readonly kind: 's3-error'; readonly code: S3ErrorCode }
  | { readonly kind: 'json-error'; readonly type: JsonErrorType }
  | { readonly kind: 'transaction-canceled'; readonly code: CancellationCode; readonly at?: 'first' | 'last' }
  | { readonly kind: 'timeout' }
  | { readonly kind: 'hold'; readonly afterUpstream?: boolean; readonly onHeld: () => void }
  | { readonly kind: 'before'; readonly action: () => Promise<void> }
  | { readonly kind: 'rewrite'; readonly rewrite: (body: Buffer) => Buffer }
  | { readonly kind: 'respond'; readonly respond: (body: Buffer) => ErrorAnswer };

/** A response the proxy writes itself. */
export interface ErrorAnswer {
  readonly status: number;
  readonly headers: Record<string, string>;
  readonly body: string;
}

/** A short name for the log and the printed schedule: `s3-error:SlowDown`, `timeout`, … */
export function describeFault(fault: Fault): string {
  switch (fault.kind) {
    case 's3-error':
      return `s3-error:${fault.code}`;
    case 'json-error':
      return `json-error:${fault.type}`;
    case 'transaction-canceled':
      return `transaction-canceled:${fault.code}@${fault.at ?? 'first'}`;
    case 'hold':
      return fault.afterUpstream ? 'hold-after-upstream' : 'hold';
    default:
      return fault.kind;
  }
}

const requestId = () => randomBytes(8).toString('hex').toUpperCase();

/** An S3 error as S3 writes it: XML, `<Error><Code>…`, with a request id. */
export function s3ErrorAnswer(code: S3ErrorCode, resource: string): ErrorAnswer {
  const { status, message } = S3_ERRORS[code];
  const id = requestId();
  const body =
    `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${code}</Code><Message>${message}</Message>` +
    `<Resource>${resource.replace(/&/g, '&amp;').replace(/</g, '&lt;')}</Resource><RequestId>${id}</RequestId><HostId>${randomBytes(24).toString('base64')}</HostId></Error>`;
  return { status, headers: { 'Content-Type': 'application/xml', 'x-amz-request-id': id }, body };
}

/** A JSON 1.0 protocol error as DynamoDB writes it: `__type` names the exception. */
export function jsonErrorAnswer(type: JsonErrorType): ErrorAnswer {
  const error = JSON_ERRORS[type];
  return jsonAnswer(error.status, { __type: error.type, message: error.message });
}

/**
 * TransactWriteItems cancelled: one CancellationReason per item of the request, `None` for all but the
 * first (or last) item, which fails with `code` (DynamoDB names every item, in order).
 */
export function transactionCanceledAnswer(code: CancellationCode, requestBody: Buffer, at: 'first' | 'last' = 'first'): ErrorAnswer {
  let items = 1;
  try {
    items = Math.max(1, (JSON.parse(requestBody.toString('utf8')) as { TransactItems?: unknown[] }).TransactItems?.length ?? 1);
  } catch {
    // Not JSON: answer one reason, as for a one-item transaction.
  }
  const reasons = Array.from({ length: items }, (_, i) =>
    i === (at === 'first' ? 0 : items - 1)
      ? { Code: code, Message: code === 'ConditionalCheckFailed' ? 'The conditional request failed' : code }
      : { Code: 'None' },
  );
  return jsonAnswer(400, {
    __type: 'com.amazonaws.dynamodb.v20120810#TransactionCanceledException',
    CancellationReasons: reasons,
    Message: `Transaction cancelled, please refer cancellation reasons for specific reasons [${reasons.map((r) => r.Code).join(', ')}]`,
  });
}

export function jsonAnswer(status: number, body: unknown): ErrorAnswer {
  return { status, headers: { 'Content-Type': 'application/x-amz-json-1.0', 'x-amzn-RequestId': requestId() }, body: JSON.stringify(body) };
}
