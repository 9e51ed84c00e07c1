import type { MiddlewareObj } from '@middy/core';
import { toApiGatewayResult } from '../api-gateway';
import type { HttpResponse } from '../http';

/** after: encodes the handler's HttpResponse as an API Gateway v2 result (binary → base64, capped). */
export function httpResponseEncoder(maxBodyBytes?: number): MiddlewareObj {
  return {
    name: 'httpResponseEncoder',
    after: async (request) => {
      request.response = await toApiGatewayResult(request.response as HttpResponse, maxBodyBytes);
    },
  };
}
