import { createUpstreamClient, UpstreamUnauthorizedError, type UpstreamTarget } from './index';
import { installLoopbackTripwire, startFakeUpstream, type FakeUpstream } from './testing';

const MANIFEST = Buffer.from('{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{},"layers":[]}');

describe('the Docker token flow', () => {
  let removeTripwire: () => void;
  beforeAll(() => (removeTripwire = installLoopbackTripwire()));
  afterAll(() => removeTripwire());

  const servers: FakeUpstream[] = [];
  afterEach(async () => {
    await Promise.all(servers.splice(0).map((server) => server.stop()));
  });

  /** A token service answering `body`, and a registry that wants `Bearer <token>` from it. */
  async function registryWithTokens(body: Record<string, unknown>): Promise<{ registry: FakeUpstream; tokens: FakeUpstream }> {
    const tokens = await startFakeUpstream((_request, response) => response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body)));
    const token = String(body['token'] ?? body['access_token']);
    const registry = await startFakeUpstream((request, response) => {
      if (request.headers.authorization === `Bearer ${token}`) return response.writeHead(200, { 'content-type': MANIFEST_TYPE }).end(MANIFEST);
      response.writeHead(401, { 'www-authenticate': `Bearer realm="http://${tokens.host}/token",service="upstream",scope="repository:a/b:pull"` }).end();
    });
    servers.push(tokens, registry);
    return { registry, tokens };
  }
  const MANIFEST_TYPE = 'application/vnd.oci.image.manifest.v1+json';
  const target = (registry: FakeUpstream, extra: Partial<UpstreamTarget> = {}): UpstreamTarget => ({ registry: registry.host, insecure: true, ...extra });

  it('fetches one token and reuses it while it is valid', async () => {
    const { registry, tokens } = await registryWithTokens({ token: 'long-lived', expires_in: 300 });
    const client = createUpstreamClient(target(registry));

    for (let pull = 0; pull < 3; pull++) await client.getManifest('a/b', 'latest');

    expect(tokens.requests).toHaveLength(1);
    expect(registry.requests).toHaveLength(4);
  });

  it('fetches a new token once the old one expired', async () => {
    const { registry, tokens } = await registryWithTokens({ access_token: 'short-lived', expires_in: 1 });
    const client = createUpstreamClient(target(registry));

    for (let pull = 0; pull < 3; pull++) await client.getManifest('a/b', 'latest');

    expect(tokens.requests).toHaveLength(3);
  });

  it('asks the realm for the scope with the Basic credentials, or anonymously without any', async () => {
    const { registry, tokens } = await registryWithTokens({ token: 't' });

    await createUpstreamClient(target(registry, { credentials: { username: 'user', password: 'pass' } })).getManifest('a/b', 'v1');
    await createUpstreamClient(target(registry)).getManifest('a/b', 'v1');

    expect(tokens.requests.map((request) => [request.path, request.headers.authorization])).toEqual([
      ['/token?service=upstream&scope=repository%3Aa%2Fb%3Apull', `Basic ${Buffer.from('user:pass').toString('base64')}`],
      ['/token?service=upstream&scope=repository%3Aa%2Fb%3Apull', undefined],
    ]);
  });

  it('retries once only, then reports UpstreamUnauthorizedError', async () => {
    const { tokens } = await registryWithTokens({ token: 'accepted' });
    const stubborn = await startFakeUpstream((_request, response) =>
      response.writeHead(401, { 'www-authenticate': `Bearer realm="http://${tokens.host}/token"` }).end(),
    );
    servers.push(stubborn);

    await expect(createUpstreamClient(target(stubborn)).getManifest('a/b', 'v1')).rejects.toBeInstanceOf(UpstreamUnauthorizedError);
    expect(stubborn.requests).toHaveLength(2);
    expect(tokens.requests).toHaveLength(1);
  });

  it('answers a Basic challenge only when it has credentials', async () => {
    const basic = await startFakeUpstream((request, response) => {
      if (request.headers.authorization === `Basic ${Buffer.from('u:p').toString('base64')}`)
        return response.writeHead(200, { 'content-type': MANIFEST_TYPE }).end(MANIFEST);
      response.writeHead(401, { 'www-authenticate': 'Basic realm="registry"' }).end();
    });
    servers.push(basic);

    await expect(createUpstreamClient(target(basic)).getManifest('a/b', 'v1')).rejects.toBeInstanceOf(UpstreamUnauthorizedError);
    const client = createUpstreamClient(target(basic, { credentials: { username: 'u', password: 'p' } }));
    await client.getManifest('a/b', 'v1');
    await client.getManifest('a/b', 'v2');

    // 1 anonymous 401; then 401 + retry, and the second pull authenticates up front.
    expect(basic.requests).toHaveLength(4);
  });
});
