import type { MiddlewareObj } from '@middy/core';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { toHttpRequest } from '../api-gateway';
import type { HttpRequest } from '../http';

/** before: replaces the API Gateway v2 event with the transport-neutral HttpRequest the handler takes. */
export function httpRequestAdapter(): MiddlewareObj<APIGatewayProxyEventV2 | HttpRequest> {
  return {
    name: 'httpRequestAdapter',
    before: (request) => {
      request.event = toHttpRequest(request.event as APIGatewayProxyEventV2);
    },
  };
}
