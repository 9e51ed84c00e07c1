import { Readable } from 'node:stream';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { bytesBody, type HttpRequest, type HttpResponse } from './http';
import { observeRequest } from './request-log';

/**
 * Lambda's synchronous invocation payload limit (request and response alike), in bytes of event JSON.
 * API Gateway base64-encodes binary bodies, so the raw body that fits is about three quarters of it.
 */
export const LAMBDA_PAYLOAD_BYTES = 6 * 1024 * 1024;

/** Room left for the status line, headers and JSON framing of a response. */
const FRAMING_BYTES = 64 * 1024;

/** The largest raw response body that still fits Lambda's payload limit once base64-encoded. */
export const MAX_LAMBDA_RESPONSE_BYTES = Math.floor(((LAMBDA_PAYLOAD_BYTES - FRAMING_BYTES) * 3) / 4);

/** Headers, JSON framing and the request context of an API Gateway event, next to the body. */
const EVENT_OVERHEAD_BYTES = 64 * 1024;

/**
 * The largest raw request body a Lambda behind an HTTP API can receive: API Gateway base64-encodes
 * binary bodies (4/3 growth) into an event capped at 6 MB, so about 4.6 MB of bytes fit.
 */
export const MAX_LAMBDA_REQUEST_BYTES = Math.floor(((LAMBDA_PAYLOAD_BYTES - EVENT_OVERHEAD_BYTES) * 3) / 4);

/** Chunk size uploads are asked for on Lambda: under the cap above (S3 adapters cut their own parts). */
export const LAMBDA_CHUNK_MIN_LENGTH = 4 * 1024 * 1024;

export class ResponseTooLargeError extends Error {
  constructor(limit: number) {
    super(`response body exceeds ${limit} bytes, more than a Lambda response can carry`);
    this.name = 'ResponseTooLargeError';
  }
}

/**
 * API Gateway HTTP API (payload format 2.0) → HttpRequest. `rawPath` is used as is (undecoded, like
 * the embedded server's request target); a named stage's prefix is stripped so routes see `/v2/…`.
 * API Gateway already lower-cases header names and joins repeated ones with commas; cookies arrive
 * apart and are joined back into one `cookie` header.
 */
export function toHttpRequest(event: APIGatewayProxyEventV2): HttpRequest {
  const headers: Record<string, string | undefined> = {};
  for (const [name, value] of Object.entries(event.headers ?? {})) {
    if (value !== undefined) headers[name.toLowerCase()] = value;
  }
  if (event.cookies && event.cookies.length > 0) headers['cookie'] = event.cookies.join('; ');
  const body = event.body === undefined ? Buffer.alloc(0) : Buffer.from(event.body, event.isBase64Encoded ? 'base64' : 'utf8');
  const { stage, http } = event.requestContext;
  const prefix = stage && stage !== '$default' ? `/${stage}` : '';
  const path = prefix && event.rawPath.startsWith(`${prefix}/`) ? event.rawPath.slice(prefix.length) : event.rawPath;
  return {
    method: http.method.toUpperCase(),
    path,
    query: new URLSearchParams(event.rawQueryString ?? ''),
    headers,
    body: bytesBody(body),
    ...(http.sourceIp ? { sourceIp: http.sourceIp } : {}),
    observed: observeRequest(event.requestContext.requestId || undefined),
  };
}

async function collect(body: Readable, limit: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let total = 0;
  try {
    for await (const chunk of body) {
      const bytes = typeof chunk === 'string' ? Buffer.from(chunk) : Buffer.from(chunk as Uint8Array);
      total += bytes.length;
      if (total > limit) throw new ResponseTooLargeError(limit);
      chunks.push(bytes);
    }
  } finally {
    body.destroy();
  }
  return Buffer.concat(chunks, total);
}

/**
 * HttpResponse → API Gateway result. Strings go out as they are; bytes and streams (collected up to
 * `maxBodyBytes`, then ResponseTooLargeError) go out base64-encoded, so binary bodies survive exactly.
 */
export async function toApiGatewayResult(response: HttpResponse, maxBodyBytes = MAX_LAMBDA_RESPONSE_BYTES): Promise<APIGatewayProxyStructuredResultV2> {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(response.headers)) headers[name] = String(value);
  const { body } = response;
  if (body === undefined) return { statusCode: response.status, headers, body: '', isBase64Encoded: false };
  if (typeof body === 'string') return { statusCode: response.status, headers, body, isBase64Encoded: false };
  const bytes = body instanceof Readable ? await collect(body, maxBodyBytes) : Buffer.from(body.buffer, body.byteOffset, body.byteLength);
  if (bytes.length > maxBodyBytes) throw new ResponseTooLargeError(maxBodyBytes);
  return { statusCode: response.status, headers, body: bytes.toString('base64'), isBase64Encoded: true };
}
