import type { APIGatewayProxyEventV2, Context, ScheduledEvent, SQSEvent, SQSRecord } from 'aws-lambda';

/**
 * Events shaped exactly like AWS's documented samples (API Gateway HTTP API payload 2.0, SQS, EventBridge
 * scheduled events), for specs that drive Lambda handlers the way AWS invokes them.
 */
export interface HttpApiEventInit {
  readonly method: string;
  /** Raw request target as sent: path (undecoded) and optional query string. */
  readonly target: string;
  readonly headers?: Record<string, string>;
  readonly cookies?: readonly string[];
  readonly body?: Buffer | string;
  readonly sourceIp?: string;
  readonly stage?: string;
  readonly domainName?: string;
  /** The route that matched, as the deployed API names it (`ANY /v2/{proxy+}`); `$default` otherwise. */
  readonly routeKey?: string;
}

const TEXT_TYPES = /^(text\/|application\/(json|x-amz-json-1\.1|xml))/;

/** What API Gateway sends: lower-cased headers, body base64-encoded unless the content type is text. */
export function httpApiEvent(init: HttpApiEventInit): APIGatewayProxyEventV2 {
  const q = init.target.indexOf('?');
  const rawPath = q < 0 ? init.target : init.target.slice(0, q);
  const rawQueryString = q < 0 ? '' : init.target.slice(q + 1);
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(init.headers ?? {})) headers[name.toLowerCase()] = value;
  const domainName = init.domainName ?? 'r3pmxmplak.execute-api.us-east-1.amazonaws.com';
  headers['host'] ??= domainName;
  const queryStringParameters: Record<string, string> = {};
  for (const [name, value] of new URLSearchParams(rawQueryString)) {
    queryStringParameters[name] = queryStringParameters[name] === undefined ? value : `${queryStringParameters[name]},${value}`;
  }
  const stage = init.stage ?? '$default';
  const binary = init.body !== undefined && typeof init.body !== 'string' && !TEXT_TYPES.test(headers['content-type'] ?? '');
  const body = init.body === undefined ? undefined : binary ? Buffer.from(init.body).toString('base64') : init.body.toString();
  const now = new Date();
  const routeKey = init.routeKey ?? '$default';
  return {
    version: '2.0',
    routeKey,
    rawPath,
    rawQueryString,
    ...(init.cookies ? { cookies: [...init.cookies] } : {}),
    headers,
    ...(rawQueryString ? { queryStringParameters } : {}),
    requestContext: {
      accountId: '123456789012',
      apiId: 'r3pmxmplak',
      domainName,
      domainPrefix: domainName.split('.')[0] ?? 'r3pmxmplak',
      http: {
        method: init.method,
        path: rawPath,
        protocol: 'HTTP/1.1',
        sourceIp: init.sourceIp ?? '192.0.2.1',
        userAgent: headers['user-agent'] ?? 'agent',
      },
      requestId: 'JKJaXmPLvHcESHA=',
      routeKey,
      stage,
      time: '12/Mar/2020:19:03:58 +0000',
      timeEpoch: now.getTime(),
    },
    ...(body !== undefined ? { body } : {}),
    isBase64Encoded: binary,
  };
}

/** A Lambda context as the runtime passes it (enough for middy and logging). */
export function lambdaContext(functionName = 'cargohold-test'): Context {
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:us-east-1:123456789012:function:${functionName}`,
    memoryLimitInMB: '1024',
    awsRequestId: 'c6af9ac6-7b61-11e6-9a41-93e812345678',
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: '2024/01/01/[$LATEST]abcdef0123456789',
    getRemainingTimeInMillis: () => 30_000,
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}

export function sqsRecord(messageId: string, body: string): SQSRecord {
  return {
    messageId,
    receiptHandle: 'AQEBwJnKyrHigUMZj6rYigCgxlaS3SLy0a...',
    body,
    attributes: {
      ApproximateReceiveCount: '1',
      SentTimestamp: '1545082649183',
      SenderId: 'AIDAIENQZJOLO23YVJ4VO',
      ApproximateFirstReceiveTimestamp: '1545082649185',
    },
    messageAttributes: {},
    md5OfBody: '098f6bcd4621d373cade4e832627b4f6',
    eventSource: 'aws:sqs',
    eventSourceARN: 'arn:aws:sqs:us-east-1:123456789012:my-queue',
    awsRegion: 'us-east-1',
  };
}

export function sqsEvent(...records: SQSRecord[]): SQSEvent {
  return { Records: records };
}

export function scheduledEvent(rule = 'my-scheduled-rule'): ScheduledEvent {
  return {
    version: '0',
    id: '53dc4d37-cffa-4f76-80c9-8b7d4a4d2eaa',
    'detail-type': 'Scheduled Event',
    source: 'aws.events',
    account: '123456789012',
    time: '2015-10-08T16:53:06Z',
    region: 'us-east-1',
    resources: [`arn:aws:events:us-east-1:123456789012:rule/${rule}`],
    detail: {},
  };
}
