import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ECRClient } from '@aws-sdk/client-ecr';
import { issueToken } from '@cargohold/auth';
import pino from 'pino';
import { startServer, type RunningServer } from './server';
import { ecrClient, loginPassword } from './testing/ecr-client';
import { raw, sha256, type RawResponse } from './testing/registry-client';
import { skopeo, skopeoAvailable, writeOciLayout } from './testing/skopeo';

/**
 * The upload gateway beside a capped server, as on AWS (the `/v2/` Lambda and the Fargate gateway): the
 * capped server starts uploads and sends them to the gateway with a capability; the gateway takes bodies
 * of any size by that capability alone, and nothing else.
 */
const CAP = 6_000_000;
const REGISTRY = '000000000000:us-east-1';

let dataDir: string;
let gateway: RunningServer;
let main: RunningServer;
let ecr: ECRClient;
let authorization: string;

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'cargohold-gateway-'));
  const logger = pino({ level: 'silent' });
  // Both over the same storage and token key, as the Lambdas and the gateway share a bucket, a table and a key.
  gateway = await startServer({ port: 0, dataDir, logger, role: 'upload-gateway' });
  main = await startServer({ port: 0, dataDir, logger, maxRequestBytes: CAP, uploadGatewayUrl: gateway.url });
  ecr = ecrClient(main.url);
  authorization = `Basic ${Buffer.from(`AWS:${await loginPassword(ecr)}`).toString('base64')}`;
});

afterAll(async () => {
  ecr?.destroy();
  await main?.close(1000);
  await gateway?.close(1000);
  await rm(dataDir, { recursive: true, force: true });
});

/** Sends to an absolute URL (the gateway's Locations) or a path on the capped server. */
const send = (method: string, target: string, headers: Record<string, string | number> = {}, body?: Buffer): Promise<RawResponse> => {
  const url = new URL(target, main.url);
  return raw(url.origin, method, `${url.pathname}${url.search}`, { headers, ...(body ? { body } : {}) });
};
const withDigest = (location: string, digest: string) => `${location}${location.includes('?') ? '&' : '?'}digest=${digest}`;

async function startUpload(repository: string): Promise<string> {
  const start = await send('POST', `/v2/${repository}/blobs/uploads/`, { Authorization: authorization });
  expect(start.status).toBe(202);
  return String(start.headers['location']);
}

describe('uploads through the upload gateway', () => {
  it('sends a started upload to the gateway with a capability, and takes a body over the cap there without credentials', async () => {
    const location = await startUpload('gw/app');
    expect(location.startsWith(`${gateway.url}/v2/gw/app/blobs/uploads/`)).toBe(true);
    expect(new URL(location).searchParams.get('X-Cargohold-Upload')).toMatch(/^v1\./);

    const blob = randomBytes(2 * CAP);
    // docker keeps credentials per host: it sends none to the gateway.
    const patched = await send('PATCH', location, { 'Content-Type': 'application/octet-stream', 'Content-Length': blob.length }, blob);
    expect(patched.status).toBe(202);
    expect(patched.headers['range']).toBe(`0-${blob.length - 1}`);
    const next = new URL(String(patched.headers['location']), gateway.url).toString();
    expect(new URL(next).searchParams.get('X-Cargohold-Upload')).toMatch(/^v1\./);
    const done = await send('PUT', withDigest(next, sha256(blob)), { 'Content-Length': 0 });
    expect(done.status).toBe(201);

    const head = await send('HEAD', `/v2/gw/app/blobs/${sha256(blob)}`, { Authorization: authorization });
    expect({ status: head.status, length: head.headers['content-length'] }).toEqual({ status: 200, length: String(blob.length) });
  });

  it('refuses a missing, tampered, expired or misdirected capability with 401, and writes nothing', async () => {
    const location = new URL(await startUpload('gw/abuse'));
    const capability = location.searchParams.get('X-Cargohold-Upload') ?? '';
    const session = location.pathname;
    const other = new URL(await startUpload('gw/abuse')).pathname;
    const key = await readFile(join(dataDir, 'token.key'));
    const claims = { accountId: '000000000000', principalArn: 'arn:aws:iam::000000000000:user/test', registry: REGISTRY };
    const expired = issueToken({ ...claims, upload: { repository: 'gw/abuse', uploadId: session.split('/').at(-1) ?? '' } }, key, {
      now: new Date(Date.now() - 2 * 60 * 60 * 1000),
      ttlMs: 60 * 60 * 1000,
    }).token;
    const tampered = capability.slice(0, -2) + (capability.endsWith('AA') ? 'BB' : 'AA');
    const body = randomBytes(1000);
    const part = { 'Content-Length': body.length, 'Content-Range': '0-999' };

    for (const target of [
      `${gateway.url}${session}`,
      `${gateway.url}${session}?X-Cargohold-Upload=${tampered}`,
      `${gateway.url}${session}?X-Cargohold-Upload=${expired}`,
      `${gateway.url}${other}?X-Cargohold-Upload=${capability}`,
      `${gateway.url}${session.replace('gw/abuse', 'gw/app')}?X-Cargohold-Upload=${capability}`,
    ]) {
      const res = await send('PATCH', target, part, body);
      expect({ target, status: res.status, code: res.json<{ errors: { code: string }[] }>().errors[0]?.code }).toEqual({
        target,
        status: 401,
        code: 'UNAUTHORIZED',
      });
    }
    // Nothing was written: both uploads still take their first bytes at offset 0.
    expect((await send('PATCH', location.toString(), part, body)).status).toBe(202);
    const otherPart = await send('PATCH', `${other}`, { ...part, Authorization: authorization }, body);
    expect(otherPart.status).toBe(202);
  });

  it('serves no blob, manifest or new upload on the gateway, capability or not', async () => {
    const location = new URL(await startUpload('gw/reads'));
    const capability = location.searchParams.get('X-Cargohold-Upload') ?? '';
    const digest = sha256('anything');
    for (const [method, path] of [
      ['GET', `/v2/gw/reads/blobs/${digest}?X-Cargohold-Upload=${capability}`],
      ['GET', `/v2/gw/reads/manifests/latest?X-Cargohold-Upload=${capability}`],
      ['POST', `/v2/gw/reads/blobs/uploads/?X-Cargohold-Upload=${capability}`],
      ['GET', '/v2/'],
    ] as const) {
      const res = await send(method, `${gateway.url}${path}`, { Authorization: authorization });
      expect({ path, status: res.status }).toEqual({ path, status: 404 });
    }
    expect((await send('GET', `${gateway.url}/healthz`)).status).toBe(200);
  });

  const withSkopeo = skopeoAvailable() ? describe : describe.skip;
  withSkopeo('skopeo', () => {
    // containers/image sends each layer as one PATCH: over the cap it can only succeed on the gateway.
    it('pushes an image with a layer over the cap and pulls it back unchanged', async () => {
      const work = await mkdtemp(join(tmpdir(), 'cargohold-gateway-skopeo-'));
      try {
        const image = await writeOciLayout(join(work, 'src'), 'v1', [randomBytes(3 * CAP), randomBytes(5000)]);
        const host = new URL(main.url).host;
        const creds = `AWS:${await loginPassword(ecr)}`;
        await skopeo([
          'copy',
          '--preserve-digests',
          '--dest-tls-verify=false',
          '--dest-creds',
          creds,
          `oci:${join(work, 'src')}:v1`,
          `docker://${host}/gw/skopeo:v1`,
        ]);
        await skopeo(['copy', '--src-tls-verify=false', '--src-creds', creds, `docker://${host}/gw/skopeo:v1`, `dir:${join(work, 'out')}`]);
        expect((await readFile(join(work, 'out', 'manifest.json'))).equals(image.manifest)).toBe(true);
      } finally {
        await rm(work, { recursive: true, force: true });
      }
    });
  });
});
