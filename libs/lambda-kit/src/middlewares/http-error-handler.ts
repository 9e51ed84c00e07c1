import type { MiddlewareObj } from '@middy/core';
import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import type { Logger } from 'pino';

/** The only body a caller sees when something escaped the app: no message, no stack, no internals. */
const INTERNAL_ERROR = JSON.stringify({ errors: [{ code: 'UNKNOWN', message: 'internal server error' }] });

/**
 * onError: anything thrown past the app (apps serialize their own protocol errors) is logged with the
 * request id and answered with a clean 500 JSON body.
 */
export function httpErrorHandler(logger: Logger): MiddlewareObj {
  return {
    name: 'httpErrorHandler',
    onError: (request) => {
      logger.error({ err: request.error, awsRequestId: request.context?.awsRequestId }, 'unhandled error in HTTP handler');
      const response: APIGatewayProxyStructuredResultV2 = {
        statusCode: 500,
        headers: { 'Content-Type': 'application/json', 'Content-Length': String(INTERNAL_ERROR.length) },
        body: INTERNAL_ERROR,
        isBase64Encoded: false,
      };
      request.response = response;
    },
  };
}
