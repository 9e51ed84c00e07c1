import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { httpApiEvent } from '@cargohold/lambda-kit/testing';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import type { InvokeOutcome, LambdaFunction } from './lambda-host';

/**
 * API Gateway HTTP API (payload format 2.0) in front of the API functions, with the limits a deployment
 * has. What it answers on its own, as API Gateway does:
 *
 * - A body over the HTTP API's 10 MB payload quota ("Payload size 10 MB", docs.aws.amazon.com/apigateway/
 *   latest/developerguide/http-api-quotas.html), or whose event exceeds Lambda's 6 MB synchronous
 *   payload (Invoke: "Request must be smaller than 6291556 bytes"; the body travels base64-encoded, so
 *   about 4.7 MB of bytes): 413 `{"message":"Request Entity Too Large"}`.
 * - No response within the integration timeout (the functions' 29 s; HTTP APIs allow at most 30 s, same
 *   page): 503 `{"message":"Service Unavailable"}` (the body and status an HTTP API sends, as recorded in
 *   cortexlabs/cortex#1225).
 * - A function error or a result it cannot read: 500 `{"message":"Internal Server Error"}`.
 * - No route: 404 `{"message":"Not Found"}`.
 */
export const HTTP_API_PAYLOAD_BYTES = 10 * 1024 * 1024;
export const LAMBDA_INVOKE_PAYLOAD_BYTES = 6_291_556;
export const INTEGRATION_TIMEOUT_MS = 29_000;

export interface Route {
  readonly routeKey: string;
  readonly function: LambdaFunction;
}

/** serverless.yml's httpApi events: ANY /v2 and /v2/{proxy+} → distribution-api, POST / → ecr-api. */
export function routeFor(method: string, path: string, functions: { distribution: LambdaFunction; ecr: LambdaFunction }): Route | undefined {
  if (path === '/v2') return { routeKey: 'ANY /v2', function: functions.distribution };
  if (path.startsWith('/v2/')) return { routeKey: 'ANY /v2/{proxy+}', function: functions.distribution };
  if (path === '/' && method === 'POST') return { routeKey: 'POST /', function: functions.ecr };
  return undefined;
}

export interface HttpApiOptions {
  readonly host: string;
  readonly port: number;
  readonly functions: { distribution: LambdaFunction; ecr: LambdaFunction };
  readonly integrationTimeoutMs?: number;
}

export async function startHttpApi(options: HttpApiOptions): Promise<{ url: string; port: number; stop(): Promise<void> }> {
  const server: Server = createServer((request, response) => {
    handle(request, response, options).catch((error: unknown) => {
      console.error('aws-local http api:', error);
      if (!response.headersSent) reply(response, 500, 'Internal Server Error');
      else response.destroy();
    });
  });
  // Bodies of several megabytes take a while on slow clients; API Gateway itself waits 30 s at most.
  server.requestTimeout = 0;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${options.host}:${port}`,
    port,
    stop: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

async function handle(request: IncomingMessage, response: ServerResponse, options: HttpApiOptions): Promise<void> {
  const target = request.url ?? '/';
  const method = (request.method ?? 'GET').toUpperCase();
  const rawPath = target.split('?')[0] ?? '/';
  const route = routeFor(method, rawPath, options.functions);
  if (!route) return drainAnd(request, () => reply(response, 404, 'Not Found'));
  const declared = Number(request.headers['content-length'] ?? 0);
  if (declared > HTTP_API_PAYLOAD_BYTES) return drainAnd(request, () => reply(response, 413, 'Request Entity Too Large'));
  const body = await readBody(request, HTTP_API_PAYLOAD_BYTES);
  if (body === 'too-large') return reply(response, 413, 'Request Entity Too Large');
  const event = toEvent(request, method, target, body, route.routeKey);
  if (Buffer.byteLength(JSON.stringify(event)) >= LAMBDA_INVOKE_PAYLOAD_BYTES) return reply(response, 413, 'Request Entity Too Large');
  const outcome = await route.function.invoke(event, options.integrationTimeoutMs ?? INTEGRATION_TIMEOUT_MS);
  if (!outcome.ok && outcome.errorType === 'Sandbox.Timedout') return reply(response, 503, 'Service Unavailable');
  writeResult(response, method, outcome, event.requestContext.requestId);
}

/** The request as API Gateway hands it over: headers joined with commas, cookies apart, body base64 when binary. */
function toEvent(request: IncomingMessage, method: string, target: string, body: Buffer, routeKey: string): APIGatewayProxyEventV2 {
  const headers: Record<string, string> = {};
  for (let i = 0; i < request.rawHeaders.length; i += 2) {
    const name = (request.rawHeaders[i] ?? '').toLowerCase();
    const value = request.rawHeaders[i + 1] ?? '';
    headers[name] = headers[name] === undefined ? value : `${headers[name]},${value}`;
  }
  const cookieHeader = headers['cookie'];
  delete headers['cookie'];
  const cookies = cookieHeader?.split(/;\s*/).filter(Boolean);
  const host = headers['host'] ?? 'localhost';
  const event = httpApiEvent({
    method,
    target,
    headers: { ...headers, 'x-forwarded-for': request.socket.remoteAddress ?? '127.0.0.1', 'x-forwarded-proto': 'http' },
    ...(cookies && cookies.length > 0 ? { cookies } : {}),
    ...(body.length > 0 ? { body } : {}),
    sourceIp: request.socket.remoteAddress?.replace(/^::ffff:/, '') ?? '127.0.0.1',
    domainName: host,
    routeKey,
  });
  const now = new Date();
  const proxy = routeKey.endsWith('{proxy+}') ? { pathParameters: { proxy: event.rawPath.slice('/v2/'.length) } } : {};
  return {
    ...event,
    ...proxy,
    requestContext: { ...event.requestContext, requestId: randomBytes(12).toString('base64url'), time: clf(now), timeEpoch: now.getTime() },
  };
}

/**
 * Payload 2.0 responses: a result without statusCode is a JSON body with 200; cookies become Set-Cookie
 * headers; there are no multiValueHeaders in 2.0 (a handler joins repeated values with commas).
 */
function writeResult(response: ServerResponse, method: string, outcome: InvokeOutcome, requestId: string): void {
  if (!outcome.ok) return reply(response, 500, 'Internal Server Error');
  const result = outcome.result as {
    statusCode?: unknown;
    headers?: Record<string, unknown>;
    cookies?: unknown;
    body?: unknown;
    isBase64Encoded?: unknown;
  } | null;
  if (result === null || typeof result !== 'object' || result.statusCode === undefined) {
    const json = JSON.stringify(result);
    response.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(json), 'apigw-requestid': requestId });
    response.end(json);
    return;
  }
  if (typeof result.statusCode !== 'number' || result.statusCode < 100 || result.statusCode > 599) return reply(response, 500, 'Internal Server Error');
  const body = typeof result.body === 'string' ? Buffer.from(result.body, result.isBase64Encoded === true ? 'base64' : 'utf8') : Buffer.alloc(0);
  const headers: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(result.headers ?? {})) if (value !== undefined && value !== null) headers[name.toLowerCase()] = String(value);
  if (Array.isArray(result.cookies) && result.cookies.length > 0) headers['set-cookie'] = result.cookies.map(String);
  headers['apigw-requestid'] = requestId;
  // A HEAD answer keeps the length the function declared (a blob's size); any other carries its body's.
  if (method !== 'HEAD') headers['content-length'] = String(body.length);
  response.writeHead(result.statusCode, headers);
  response.end(method === 'HEAD' ? undefined : body);
}

function reply(response: ServerResponse, status: number, message: string): void {
  const json = JSON.stringify({ message });
  response.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(json),
    'apigw-requestid': randomBytes(12).toString('base64url'),
  });
  response.end(json);
}

/**
 * Reads and discards the body, then answers: an answer sent while the client is still writing makes Node
 * close the connection under it, and the client reports a broken pipe instead of the status.
 */
function drainAnd(request: IncomingMessage, answer: () => void): void {
  if (request.readableEnded) answer();
  else request.once('end', answer);
  request.resume();
}

async function readBody(request: IncomingMessage, limit: number): Promise<Buffer | 'too-large'> {
  const chunks: Buffer[] = [];
  let total = 0;
  let tooLarge = false;
  for await (const chunk of request) {
    total += (chunk as Buffer).length;
    if (total > limit) tooLarge = true;
    if (!tooLarge) chunks.push(chunk as Buffer);
  }
  return tooLarge ? 'too-large' : Buffer.concat(chunks, total);
}

/** `12/Mar/2020:19:03:58 +0000`, requestContext.time's format. */
function clf(date: Date): string {
  const months = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${pad(date.getUTCDate())}/${months[date.getUTCMonth()]}/${date.getUTCFullYear()}:${pad(date.getUTCHours())}:${pad(date.getUTCMinutes())}:${pad(date.getUTCSeconds())} +0000`;
}
