import type { MiddlewareObj } from '@middy/core';
import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import type { Logger } from 'pino';
import type { HttpRequest } from '../http';
import { emfFields } from '../emf';
import { REQUEST_ID_HEADER, requestLogFields } from '../request-log';

/**
 * The request log on Lambda: one line per request (the same fields as the embedded server's, plus its
 * figures in CloudWatch Embedded Metric Format), and the request id (API Gateway's) on the response. Registered so that its `after` sees the encoded result and
 * its `onError` runs after the error handler wrote the 500, so failures get their line too.
 */
export function httpRequestLog(logger: Logger, service = process.env['AWS_LAMBDA_FUNCTION_NAME'] ?? 'cargohold'): MiddlewareObj {
  let started = 0;
  const finish = (request: { event: unknown; response: unknown }) => {
    const event = request.event as HttpRequest;
    const result = request.response as APIGatewayProxyStructuredResultV2 | undefined;
    if (!result || typeof event?.method !== 'string') return;
    const id = event.observed?.requestId;
    if (id) result.headers = { ...result.headers, [REQUEST_ID_HEADER]: id };
    const body = typeof result.body === 'string' ? result.body : '';
    const bytesOut = result.isBase64Encoded ? Buffer.byteLength(body, 'base64') : Buffer.byteLength(body);
    const outcome = { method: event.method, path: event.path, status: result.statusCode ?? 200, bytesOut, ms: performance.now() - started };
    logger.info({ ...requestLogFields(event.observed, outcome), ...emfFields(service, event.observed, outcome) }, 'request');
    if (event.observed?.denied) logger.debug({ requestId: id, denied: event.observed.denied }, 'access denied');
  };
  return {
    name: 'httpRequestLog',
    before: () => {
      started = performance.now();
    },
    after: finish,
    onError: finish,
  };
}
