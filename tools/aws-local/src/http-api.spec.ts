import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { startHttpApi } from './http-api';
import type { InvokeOutcome, LambdaFunction } from './lambda-host';

/** A function that records its events and answers what the test says. */
function fakeFunction(name: string, answer: (event: APIGatewayProxyEventV2) => Promise<InvokeOutcome> | InvokeOutcome) {
  const events: APIGatewayProxyEventV2[] = [];
  const fn: LambdaFunction = {
    name,
    invoke: async (event, timeoutMs) => {
      events.push(event as APIGatewayProxyEventV2);
      const timeout = new Promise<InvokeOutcome>((resolve) =>
        setTimeout(() => resolve({ ok: false, errorType: 'Sandbox.Timedout', errorMessage: 'timed out' }), timeoutMs).unref(),
      );
      return Promise.race([Promise.resolve(answer(event as APIGatewayProxyEventV2)), timeout]);
    },
    stop: async () => undefined,
  };
  return { fn, events };
}

describe('the local HTTP API', () => {
  let answer: (event: APIGatewayProxyEventV2) => Promise<InvokeOutcome> | InvokeOutcome;
  const distribution = fakeFunction('distribution-api', (event) => answer(event));
  const ecr = fakeFunction('ecr-api', () => ({ ok: true, result: { statusCode: 200, body: '{}' } }));
  let api: Awaited<ReturnType<typeof startHttpApi>>;

  beforeAll(async () => {
    api = await startHttpApi({ host: '127.0.0.1', port: 0, functions: { distribution: distribution.fn, ecr: ecr.fn }, integrationTimeoutMs: 300 });
  });
  afterAll(() => api.stop());
  beforeEach(() => {
    distribution.events.length = 0;
    answer = () => ({ ok: true, result: { statusCode: 204 } });
  });

  describe('events', () => {
    it('hands a binary body over base64-encoded, with headers, cookies, route and stage as payload 2.0 has them', async () => {
      await fetch(`${api.url}/v2/team/app/blobs/uploads/x?a=1&a=2`, {
        method: 'PATCH',
        headers: { 'content-type': 'application/octet-stream', cookie: 'a=1; b=2', 'x-many': 'one' },
        body: Buffer.from([0, 1, 2, 255]),
      });

      const [event] = distribution.events;
      expect(event).toMatchObject({
        version: '2.0',
        routeKey: 'ANY /v2/{proxy+}',
        rawPath: '/v2/team/app/blobs/uploads/x',
        rawQueryString: 'a=1&a=2',
        queryStringParameters: { a: '1,2' },
        cookies: ['a=1', 'b=2'],
        pathParameters: { proxy: 'team/app/blobs/uploads/x' },
        isBase64Encoded: true,
        body: Buffer.from([0, 1, 2, 255]).toString('base64'),
        requestContext: { http: { method: 'PATCH', path: '/v2/team/app/blobs/uploads/x' }, stage: '$default' },
      });
      expect(event?.headers['cookie']).toBeUndefined();
      expect(event?.headers['x-many']).toBe('one');
    });

    it('routes POST / to the ECR function and anything else to a 404', async () => {
      const ecrResponse = await fetch(`${api.url}/`, { method: 'POST', body: '{}' });
      const other = await fetch(`${api.url}/`, { method: 'GET' });

      expect(ecrResponse.status).toBe(200);
      expect(ecr.events[0]?.routeKey).toBe('POST /');
      expect(other.status).toBe(404);
      expect(await other.json()).toEqual({ message: 'Not Found' });
    });
  });

  describe('responses', () => {
    it('decodes a base64 body and sends cookies as Set-Cookie headers', async () => {
      answer = () => ({
        ok: true,
        result: { statusCode: 201, headers: { 'x-one': 'a' }, cookies: ['s=1', 't=2'], body: Buffer.from('bytes').toString('base64'), isBase64Encoded: true },
      });

      const response = await fetch(`${api.url}/v2/`);

      expect(response.status).toBe(201);
      expect(response.headers.get('x-one')).toBe('a');
      expect(response.headers.getSetCookie()).toEqual(['s=1', 't=2']);
      expect(await response.text()).toBe('bytes');
    });

    it('treats a result without statusCode as a JSON body with 200', async () => {
      answer = () => ({ ok: true, result: { hello: 'world' } });

      const response = await fetch(`${api.url}/v2/`);

      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toBe('application/json');
      expect(await response.json()).toEqual({ hello: 'world' });
    });

    it('answers a function error with 500 Internal Server Error', async () => {
      answer = () => ({ ok: false, errorType: 'Error', errorMessage: 'boom' });

      const response = await fetch(`${api.url}/v2/`);

      expect(response.status).toBe(500);
      expect(await response.json()).toEqual({ message: 'Internal Server Error' });
    });

    it('answers a function slower than the integration timeout with 503 Service Unavailable', async () => {
      answer = () => new Promise((resolve) => setTimeout(() => resolve({ ok: true, result: { statusCode: 200 } }), 2_000).unref());

      const response = await fetch(`${api.url}/v2/`);

      expect(response.status).toBe(503);
      expect(await response.json()).toEqual({ message: 'Service Unavailable' });
    });
  });

  describe('payload limits', () => {
    it('refuses a declared body over the 10 MB quota before invoking anything', async () => {
      const response = await fetch(`${api.url}/v2/x/blobs/uploads/y`, { method: 'PATCH', body: Buffer.alloc(10 * 1024 * 1024 + 1) });

      expect(response.status).toBe(413);
      expect(await response.json()).toEqual({ message: 'Request Entity Too Large' });
      expect(distribution.events).toHaveLength(0);
    });

    it('takes a body whose event fits Lambda’s 6 MB payload, and refuses one whose event does not', async () => {
      const fits = await fetch(`${api.url}/v2/x/blobs/uploads/y`, { method: 'PATCH', body: Buffer.alloc(4_600_000) });
      const over = await fetch(`${api.url}/v2/x/blobs/uploads/y`, { method: 'PATCH', body: Buffer.alloc(4_800_000) });

      expect(fits.status).toBe(204);
      expect(over.status).toBe(413);
      expect(distribution.events).toHaveLength(1);
    });
  });
});
