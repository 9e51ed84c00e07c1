import middy from '@middy/core';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import pino, { type Logger } from 'pino';
import type { HttpHandler, HttpRequest } from './http';
import { httpErrorHandler } from './middlewares/http-error-handler';
import { httpRequestAdapter } from './middlewares/http-request-adapter';
import { httpRequestLog } from './middlewares/http-request-log';
import { httpResponseEncoder } from './middlewares/http-response-encoder';

export interface HttpApiHandlerOptions {
  readonly logger?: Logger;
  /** Cap on a response body collected into the result (default: what fits Lambda's 6 MB payload). */
  readonly maxResponseBytes?: number;
}

export type HttpApiLambda = (event: APIGatewayProxyEventV2, context: Context) => Promise<APIGatewayProxyStructuredResultV2>;

/**
 * A transport-neutral HttpHandler as an API Gateway HTTP API (payload 2.0) Lambda. Middlewares run
 * request adaptation, then the handler, then response encoding; anything thrown ends in the error
 * handler (registered first so its onError runs last, after nothing else could answer).
 */
export function httpApiHandler(handler: HttpHandler, options: HttpApiHandlerOptions = {}): HttpApiLambda {
  const logger = options.logger ?? pino({ base: { service: 'cargohold' } });
  // middy runs `before`s in this order and `after`s and `onError`s in reverse: the request log's `after`
  // sees the encoded result, and its `onError` the error handler's 500.
  const lambda = middy(async (event: unknown) => handler(event as HttpRequest))
    .use(httpRequestLog(logger))
    .use(httpErrorHandler(logger))
    .use(httpResponseEncoder(options.maxResponseBytes))
    .use(httpRequestAdapter());
  return lambda as unknown as HttpApiLambda;
}
