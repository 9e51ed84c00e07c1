import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { upstreamFailure } from '@cargohold/storage-ports';
import { installLoopbackTripwire } from '@cargohold/upstream-registry/testing';
import { EcrUpstreamTokens } from './ecr-upstream-tokens';

const KEYS = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' };

/**
 * The exchange's own edges, on loopback only: the SSRF guard (an upstream the config does not list as
 * insecure is never contacted) and the upstream's answers. The journey against a real cargohold is
 * apps/local-server's pull-through spec.
 */
describe('EcrUpstreamTokens', () => {
  let removeTripwire: () => void;
  let server: Server;
  let requests: { target: string; authorization: string }[];
  let answer: (status: number) => { status: number; body: unknown };
  beforeAll(async () => {
    removeTripwire = installLoopbackTripwire();
    server = createServer((request, response) => {
      requests.push({ target: String(request.headers['x-amz-target']), authorization: String(request.headers['authorization']) });
      request.resume();
      const { status, body } = answer(200);
      response.writeHead(status, { 'Content-Type': 'application/x-amz-json-1.1' }).end(JSON.stringify(body));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  });
  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
    removeTripwire();
  });
  beforeEach(() => (requests = []));
  const host = () => `127.0.0.1:${(server.address() as AddressInfo).port}`;

  it('signs GetAuthorizationToken with the keys at the upstream’s host, and decodes AWS and the token with its expiry', async () => {
    const expiresAt = 1_900_000_000;
    answer = () => ({ status: 200, body: { authorizationData: [{ authorizationToken: Buffer.from('AWS:the-token').toString('base64'), expiresAt }] } });

    const token = await new EcrUpstreamTokens({ defaultRegion: 'eu-west-1' }).authorize({ registry: host(), insecure: true }, KEYS);

    expect(token).toEqual({ username: 'AWS', password: 'the-token', expiresAt: new Date(expiresAt * 1000) });
    expect(requests).toEqual([
      {
        target: 'AmazonEC2ContainerRegistry_V20150921.GetAuthorizationToken',
        authorization: expect.stringMatching(/Credential=AKIDEXAMPLE\/\d{8}\/eu-west-1\/ecr\/aws4_request/),
      },
    ]);
  });

  it('names refused keys unauthorized', async () => {
    answer = () => ({ status: 400, body: { __type: 'UnrecognizedClientException', message: 'The security token included in the request is invalid.' } });

    const failure = await new EcrUpstreamTokens().authorize({ registry: host(), insecure: true }, KEYS).catch((error: unknown) => error);

    expect(upstreamFailure(failure)).toBe('unauthorized');
  });

  it('refuses a loopback upstream the config does not list, by literal address or by name, without contacting it', async () => {
    answer = () => ({ status: 200, body: {} });
    const port = (server.address() as AddressInfo).port;

    const literal = await new EcrUpstreamTokens().authorize({ registry: host(), insecure: false }, KEYS).catch((error: unknown) => error);
    const named = await new EcrUpstreamTokens().authorize({ registry: `localhost:${port}`, insecure: false }, KEYS).catch((error: unknown) => error);

    expect(upstreamFailure(literal)).toBe('refused');
    expect(upstreamFailure(named)).toBe('refused');
    expect(requests).toEqual([]);
  });
});
