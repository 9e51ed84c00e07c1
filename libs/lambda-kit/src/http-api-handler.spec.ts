import { Readable, Writable } from 'node:stream';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import pino from 'pino';
import type { HttpRequest } from './http';
import { readBody } from './http';
import { httpApiHandler } from './http-api-handler';
import { httpApiEvent, lambdaContext } from './testing/aws-events';

/** AWS's documented HTTP API payload 2.0 sample event, verbatim apart from a binary body. */
const DOCUMENTED_SAMPLE: APIGatewayProxyEventV2 = {
  version: '2.0',
  routeKey: '$default',
  rawPath: '/my/path',
  rawQueryString: 'parameter1=value1&parameter1=value2&parameter2=value',
  cookies: ['cookie1', 'cookie2'],
  headers: { header1: 'value1', header2: 'value1,value2' },
  queryStringParameters: { parameter1: 'value1,value2', parameter2: 'value' },
  requestContext: {
    accountId: '123456789012',
    apiId: 'api-id',
    authentication: { clientCert: undefined as never },
    domainName: 'id.execute-api.us-east-1.amazonaws.com',
    domainPrefix: 'id',
    http: { method: 'POST', path: '/my/path', protocol: 'HTTP/1.1', sourceIp: '192.0.2.1', userAgent: 'agent' },
    requestId: 'id',
    routeKey: '$default',
    stage: '$default',
    time: '12/Mar/2020:19:03:58 +0000',
    timeEpoch: 1583348638390,
  },
  body: Buffer.from([0, 1, 2, 255]).toString('base64'),
  pathParameters: { parameter1: 'value1' },
  isBase64Encoded: true,
  stageVariables: { stageVariable1: 'value1', stageVariable2: 'value2' },
};

function capturingLogger() {
  const lines: Record<string, unknown>[] = [];
  const sink = new Writable({
    write(chunk, _encoding, done) {
      lines.push(JSON.parse(String(chunk)));
      done();
    },
  });
  return { logger: pino({ level: 'info' }, sink), lines };
}

describe('httpApiHandler', () => {
  describe('request adaptation', () => {
    it('hands the handler the documented sample as a transport-neutral request', async () => {
      let seen: { request: HttpRequest; body: Buffer } | undefined;
      const lambda = httpApiHandler(async (request) => {
        const read = await readBody(request.body, 1024);
        seen = { request, body: read.ok ? read.bytes : Buffer.alloc(0) };
        return { status: 204, headers: {} };
      });

      await lambda(DOCUMENTED_SAMPLE, lambdaContext());

      expect(seen?.request.method).toBe('POST');
      expect(seen?.request.path).toBe('/my/path');
      expect(seen?.request.query.getAll('parameter1')).toEqual(['value1', 'value2']);
      expect(seen?.request.headers).toEqual({ header1: 'value1', header2: 'value1,value2', cookie: 'cookie1; cookie2' });
      expect(seen?.request.sourceIp).toBe('192.0.2.1');
      expect([...(seen?.body ?? [])]).toEqual([0, 1, 2, 255]);
    });

    it('keeps the raw path undecoded and strips a named stage prefix', async () => {
      const paths: string[] = [];
      const lambda = httpApiHandler(async (request) => {
        paths.push(request.path);
        return { status: 204, headers: {} };
      });
      await lambda(httpApiEvent({ method: 'GET', target: '/v2/a%2Fb/../tags/list' }), lambdaContext());
      await lambda(httpApiEvent({ method: 'GET', target: '/prod/v2/', stage: 'prod' }), lambdaContext());
      expect(paths).toEqual(['/v2/a%2Fb/../tags/list', '/v2/']);
    });

    it('reads a text body that API Gateway did not base64-encode', async () => {
      let text = '';
      const lambda = httpApiHandler(async (request) => {
        const read = await readBody(request.body, 1024);
        text = read.ok ? read.bytes.toString() : '';
        return { status: 204, headers: {} };
      });
      await lambda(httpApiEvent({ method: 'POST', target: '/', headers: { 'Content-Type': 'application/json' }, body: '{"a":1}' }), lambdaContext());
      expect(text).toBe('{"a":1}');
    });
  });

  describe('response encoding', () => {
    it('sends strings as text and stringifies numeric headers', async () => {
      const lambda = httpApiHandler(async () => ({ status: 200, headers: { 'Content-Length': 2, 'X-A': 'b' }, body: 'ok' }));
      const result = await lambda(httpApiEvent({ method: 'GET', target: '/' }), lambdaContext());
      // Every response carries API Gateway's request id, the key of the request's log line.
      expect(result).toEqual({
        statusCode: 200,
        headers: { 'Content-Length': '2', 'X-A': 'b', 'x-amzn-RequestId': 'JKJaXmPLvHcESHA=' },
        body: 'ok',
        isBase64Encoded: false,
      });
    });

    it('base64-encodes bytes and collected streams exactly', async () => {
      const bytes = Buffer.from([0xff, 0x00, 0xfe, 0x80]);
      const buffered = httpApiHandler(async () => ({ status: 200, headers: {}, body: new Uint8Array(bytes) }));
      const streamed = httpApiHandler(async () => ({ status: 206, headers: {}, body: Readable.from([bytes.subarray(0, 2), bytes.subarray(2)]) }));
      for (const lambda of [buffered, streamed]) {
        const result = await lambda(httpApiEvent({ method: 'GET', target: '/' }), lambdaContext());
        expect(result.isBase64Encoded).toBe(true);
        expect(Buffer.from(result.body ?? '', 'base64')).toEqual(bytes);
      }
    });

    it('answers a body-less response with an empty text body', async () => {
      const lambda = httpApiHandler(async () => ({ status: 307, headers: { Location: 'https://s3/x' } }));
      const result = await lambda(httpApiEvent({ method: 'GET', target: '/' }), lambdaContext());
      expect(result).toEqual({
        statusCode: 307,
        headers: { Location: 'https://s3/x', 'x-amzn-RequestId': 'JKJaXmPLvHcESHA=' },
        body: '',
        isBase64Encoded: false,
      });
    });
  });

  describe('request log', () => {
    it('writes one line per request with what the handler observed, and never the query string', async () => {
      const { logger, lines } = capturingLogger();
      const lambda = httpApiHandler(
        async (request) => {
          Object.assign(request.observed ?? {}, { action: 'ecr:BatchGetImage', registry: '123456789012:eu-west-1', repository: 'team/app' });
          return { status: 200, headers: {}, body: 'four' };
        },
        { logger },
      );
      await lambda(httpApiEvent({ method: 'GET', target: '/v2/team/app/blobs/x?X-Cargohold-Token=secret-token' }), lambdaContext());
      expect(lines).toEqual([
        expect.objectContaining({
          level: 30,
          msg: 'request',
          requestId: 'JKJaXmPLvHcESHA=',
          method: 'GET',
          path: '/v2/team/app/blobs/x',
          status: 200,
          action: 'ecr:BatchGetImage',
          account: '123456789012',
          registry: '123456789012:eu-west-1',
          repository: 'team/app',
          bytesOut: 4,
          // The same line carries the figures in CloudWatch Embedded Metric Format.
          _aws: expect.objectContaining({
            CloudWatchMetrics: [expect.objectContaining({ Namespace: 'cargohold', Dimensions: [['Service'], ['Service', 'Route']] })],
          }),
          Route: 'ecr:BatchGetImage',
          Requests: 1,
          ServerErrors: 0,
          ClientErrors: 0,
          BytesOut: 4,
        }),
      ]);
      expect(JSON.stringify(lines)).not.toContain('secret-token');
    });
  });

  describe('errors', () => {
    it('turns a thrown error into a clean 500 and logs it', async () => {
      const { logger, lines } = capturingLogger();
      const lambda = httpApiHandler(
        async () => {
          throw new Error('db password is hunter2');
        },
        { logger },
      );
      const result = await lambda(httpApiEvent({ method: 'GET', target: '/' }), lambdaContext());
      expect(result.statusCode).toBe(500);
      expect(JSON.parse(result.body ?? '')).toEqual({ errors: [{ code: 'UNKNOWN', message: 'internal server error' }] });
      expect(result.body).not.toContain('hunter2');
      expect(lines).toEqual([
        expect.objectContaining({ level: 50, err: expect.objectContaining({ message: 'db password is hunter2' }) }),
        // The failed request still gets its one line, with the status the caller saw.
        expect.objectContaining({ level: 30, msg: 'request', requestId: 'JKJaXmPLvHcESHA=', method: 'GET', path: '/', status: 500 }),
      ]);
      expect(result.headers?.['x-amzn-RequestId']).toBe('JKJaXmPLvHcESHA=');
    });

    it('answers 500 instead of an oversized result when a streamed body passes the cap', async () => {
      const { logger, lines } = capturingLogger();
      const stream = Readable.from([Buffer.alloc(600), Buffer.alloc(600)]);
      const lambda = httpApiHandler(async () => ({ status: 200, headers: {}, body: stream }), { logger, maxResponseBytes: 1000 });
      const result = await lambda(httpApiEvent({ method: 'GET', target: '/' }), lambdaContext());
      expect(result.statusCode).toBe(500);
      expect(stream.destroyed).toBe(true);
      expect(lines[0]?.['err']).toEqual(expect.objectContaining({ type: 'ResponseTooLargeError' }));
    });
  });
});
