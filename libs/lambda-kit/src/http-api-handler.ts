import middy from '@middy/core';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import pino, { type Logger } from 'pino';
import type { HttpHandler, HttpRequest } from './http';
import { httpErrorHandler } from './middlewares/http-error-handler';
import { httpRequestAdapter } from './middlewares/http-request-adapter';
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
  const lambda = middy(async (event: unknown) => handler(event as HttpRequest))
    .use(httpErrorHandler(logger))
    .use(httpResponseEncoder(options.maxResponseBytes))
    .use(httpRequestAdapter());
  return lambda as unknown as HttpApiLambda;
}
