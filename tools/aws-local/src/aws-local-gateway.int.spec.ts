import { createHash, randomBytes } from 'node:crypto';
import { request } from 'node:http';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { issueToken } from '@cargohold/auth';
import { awsCli, buildMultiArchLayout, buildOciLayout, describeWithClients, readOciLayout, skopeo, type BuiltImage, type BuiltIndex } from '@cargohold/e2e';
import { startAwsLocal, type AwsLocalProcess } from './testing';

/**
 * `npm run aws:local` with the upload gateway, as `serverless deploy` sets it up: uploads start on the
 * Lambda behind the HTTP API and continue on the gateway by capability, so layers far over Lambda's
 * request cap push; the capability opens that one upload and nothing else.
 */

jest.setTimeout(300_000);

const MiB = 1024 * 1024;

describeWithClients(['skopeo', 'aws'], 'aws:local with the upload gateway', () => {
  let local: AwsLocalProcess;
  let gatewayUrl: string;
  let work: string;
  let password: string;
  let authorization: string;

  const run = (args: string[]) => skopeo(args, { creds: `AWS:${password}`, timeoutMs: 240_000 });
  const ref = (repository: string, tag: string) => `docker://${local.host}/${repository}:${tag}`;
  const startUpload = async (repository: string): Promise<URL> => {
    const response = await fetch(`${local.url}/v2/${repository}/blobs/uploads/`, { method: 'POST', headers: { authorization } });
    expect(response.status).toBe(202);
    return new URL(response.headers.get('location') ?? '');
  };

  beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), 'cargohold-aws-local-gw-'));
    const started = performance.now();
    local = await startAwsLocal({ dataDir: join(work, 'data') });
    console.log(`aws:local (with gateway) ready in ${Math.round(performance.now() - started)} ms`);
    gatewayUrl = local.gatewayUrl ?? '';
    password = (await awsCli(['ecr', 'get-login-password'], { endpoint: local.url })).stdout.trim();
    authorization = `Basic ${Buffer.from(`AWS:${password}`).toString('base64')}`;
  });

  afterAll(async () => {
    await local?.stop();
    if (work) await rm(work, { recursive: true, force: true });
  });

  it('sends a started upload to the gateway, with a capability', async () => {
    const location = await startUpload('e2e/where');

    expect(location.origin).toBe(gatewayUrl);
    expect(location.searchParams.get('X-Cargohold-Upload')).toMatch(/^v1\./);
  });

  describe('an image with a 300 MiB layer, copied with skopeo after an interrupted attempt', () => {
    let built: BuiltImage;

    beforeAll(async () => {
      built = await buildOciLayout(join(work, 'big'), { tag: 'v1', layers: [{ randomBytes: 300 * MiB, compression: 'none' }] });
      const copy = ['copy', '--preserve-digests', `oci:${join(work, 'big')}:v1`, ref('e2e/big', 'v1')];
      // The first attempt is killed 2 s in, in the middle of the layer (the whole push takes ~5 s here).
      await expect(skopeo(copy, { creds: `AWS:${password}`, timeoutMs: 2_000 })).rejects.toThrow(/killed|timed out|signal/i);
      const started = performance.now();
      await run(copy);
      console.log(`skopeo push of 300 MiB through aws:local (the retry): ${Math.round(performance.now() - started)} ms`);
    });

    it('pulls back with every digest unchanged', async () => {
      const pulled = join(work, 'big-pulled');
      const started = performance.now();

      await run(['copy', '--preserve-digests', '--dest-oci-accept-uncompressed-layers', ref('e2e/big', 'v1'), `oci:${pulled}:v1`]);
      console.log(`skopeo pull of 300 MiB through aws:local: ${Math.round(performance.now() - started)} ms`);

      const layout = await readOciLayout(pulled);
      expect(layout.manifests.map((m) => m.digest)).toEqual([built.manifest.digest]);
      expect(layout.blobs).toEqual([...built.blobs].sort());
    });

    it('is listed by aws ecr describe-images with its size', async () => {
      const { imageDetails } = JSON.parse((await awsCli(['ecr', 'describe-images', '--repository-name', 'e2e/big'], { endpoint: local.url })).stdout) as {
        imageDetails: { imageDigest: string; imageSizeInBytes: number }[];
      };

      expect(imageDetails.map((image) => image.imageDigest)).toEqual([built.manifest.digest]);
      expect(imageDetails[0]?.imageSizeInBytes).toBeGreaterThan(300 * MiB);
    });
  });

  it('pushes and pulls a multi-arch index with skopeo --all, every digest unchanged', async () => {
    const source = join(work, 'multi');
    const built: BuiltIndex = await buildMultiArchLayout(source, undefined, { format: 'oci', tag: 'v1' });
    const pulled = join(work, 'multi-pulled');

    await run(['copy', '--all', '--preserve-digests', `oci:${source}:v1`, ref('e2e/multi', 'v1')]);
    await run(['copy', '--all', '--preserve-digests', ref('e2e/multi', 'v1'), `oci:${pulled}:v1`]);

    const layout = await readOciLayout(pulled);
    expect(layout.manifests.map((m) => m.digest)).toEqual([built.index.digest]);
    expect(layout.blobs).toEqual([...built.blobs].sort());
  });

  it('takes an upload interrupted mid-layer where the gateway says it stopped, and completes it', async () => {
    const layer = randomBytes(48 * MiB);
    const digest = `sha256:${createHash('sha256').update(layer).digest('hex')}`;
    const location = await startUpload('e2e/resumed');

    // The client dies 20 MiB into a single-PATCH layer, as docker does when its connection drops.
    await interruptedPatch(location, layer, 20 * MiB);
    const status = await fetch(location, { headers: {} });
    const range = status.headers.get('range');
    // `0-0` is how registries say "nothing yet" (distribution's convention): an interrupted PATCH may be dropped whole.
    const received = range && range !== '0-0' ? Number(range.split('-')[1]) + 1 : 0;
    const next = new URL(status.headers.get('location') ?? location.toString(), gatewayUrl);
    const rest = await fetch(next, {
      method: 'PATCH',
      headers: { 'content-type': 'application/octet-stream', 'content-range': `${received}-${layer.length - 1}` },
      body: layer.subarray(received),
    });
    const done = new URL(rest.headers.get('location') ?? '', gatewayUrl);
    done.searchParams.set('digest', digest);
    const put = await fetch(done, { method: 'PUT' });
    const head = await fetch(`${local.url}/v2/e2e/resumed/blobs/${digest}`, { method: 'HEAD', headers: { authorization } });

    expect(status.status).toBe(204);
    expect(received).toBeLessThanOrEqual(20 * MiB);
    expect(rest.status).toBe(202);
    expect(put.status).toBe(201);
    expect({ status: head.status, length: head.headers.get('content-length') }).toEqual({ status: 200, length: String(layer.length) });
  });

  describe('capability abuse', () => {
    it('refuses a missing, expired, tampered or replayed capability with 401, and writes nothing', async () => {
      const location = await startUpload('e2e/abuse');
      const capability = location.searchParams.get('X-Cargohold-Upload') ?? '';
      const other = await startUpload('e2e/abuse');
      const session = `${gatewayUrl}${location.pathname}`;
      const key = Buffer.from((await readFile(join(local.dataDir, 'token-key'), 'utf8')).trim(), 'base64');
      const claims = JSON.parse(Buffer.from(capability.split('.')[1] ?? '', 'base64url').toString('utf8')) as { acct: string; arn: string; reg: string };
      const expired = issueToken(
        {
          accountId: claims.acct,
          principalArn: claims.arn,
          registry: claims.reg,
          upload: { repository: 'e2e/abuse', uploadId: location.pathname.split('/').at(-1) ?? '' },
        },
        key,
        { now: new Date(Date.now() - 2 * 60 * 60 * 1000), ttlMs: 60 * 60 * 1000 },
      ).token;
      const tampered = capability.slice(0, -2) + (capability.endsWith('AA') ? 'BB' : 'AA');
      const body = randomBytes(1000);

      for (const target of [
        session,
        `${session}?X-Cargohold-Upload=${expired}`,
        `${session}?X-Cargohold-Upload=${tampered}`,
        `${gatewayUrl}${other.pathname}?X-Cargohold-Upload=${capability}`,
      ]) {
        const response = await fetch(target, { method: 'PATCH', headers: { 'content-range': '0-999', authorization }, body });
        const { errors } = (await response.json()) as { errors: { code: string }[] };
        expect({ target, status: response.status, code: errors[0]?.code }).toEqual({ target, status: 401, code: 'UNAUTHORIZED' });
      }
      // Nothing was written: both sessions still stand at offset 0 and take their first bytes there.
      for (const upload of [location, other]) {
        const first = await fetch(upload, { method: 'PATCH', headers: { 'content-range': '0-999' }, body });
        expect(first.status).toBe(202);
      }
    });

    it('never serves a blob on the gateway, capability or not', async () => {
      const location = await startUpload('e2e/big');
      const capability = location.searchParams.get('X-Cargohold-Upload') ?? '';
      const layers = (await fetch(`${local.url}/v2/e2e/big/manifests/v1`, {
        headers: { authorization, accept: 'application/vnd.oci.image.manifest.v1+json' },
      }).then((response) => response.json())) as { layers: { digest: string }[] };

      const response = await fetch(`${gatewayUrl}/v2/e2e/big/blobs/${layers.layers[0]?.digest}?X-Cargohold-Upload=${capability}`, {
        headers: { authorization },
      });

      expect(response.status).toBe(404);
    });
  });
});

/** A PATCH of `bytes` whose connection is cut after `after` bytes. */
function interruptedPatch(location: URL, bytes: Buffer, after: number): Promise<void> {
  return new Promise((resolve) => {
    const req = request(location, {
      method: 'PATCH',
      headers: { 'content-type': 'application/octet-stream', 'content-length': bytes.length, 'content-range': `0-${bytes.length - 1}` },
    });
    req.on('error', () => resolve());
    req.on('close', () => resolve());
    req.write(bytes.subarray(0, after), () => setTimeout(() => req.destroy(), 200));
  });
}
