import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DescribeImagesCommand, PutLifecyclePolicyCommand, type ECRClient } from '@aws-sdk/client-ecr';
import pino from 'pino';
import { startServer, type RunningServer } from './server';
import { ecrClient, loginPassword } from './testing/ecr-client';
import { startEcrTestServer } from './testing/test-server';
import { RegistryClient } from './testing/registry-client';
import { skopeo, skopeoAvailable, writeOciLayout } from './testing/skopeo';

/**
 * What an operator sees: `/metrics` counts exactly what clients did, and the request log has one line per
 * request, keyed by the id the response carries, with no token or secret in it at any level.
 */
jest.setTimeout(120_000);

const ACCESS_KEY = 'AKIAOBSERVABILITY01';
const SECRET_KEY = `secret-${randomBytes(12).toString('hex')}`;
const config = {
  identities: {
    accounts: [
      {
        id: '000000000000',
        users: [
          {
            name: 'operator',
            arn: 'arn:aws:iam::000000000000:user/operator',
            accessKeys: [{ accessKeyId: ACCESS_KEY, secretAccessKey: SECRET_KEY }],
            policies: [{ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'ecr:*', Resource: '*' }] }],
          },
        ],
      },
    ],
  },
};

const lines: string[] = [];
let server: RunningServer;
let dataDir: string;
let ecr: ECRClient;
let token: string;
let v2: RegistryClient;

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'cargohold-observability-'));
  // Debug level, so the access decisions are in the log too: nothing secret may appear even there.
  const logger = pino({ level: 'debug' }, { write: (line: string) => lines.push(line) });
  server = await startServer({ port: 0, dataDir, config, logger });
  ecr = ecrClient(server.url, { accessKeyId: ACCESS_KEY, secretAccessKey: SECRET_KEY });
  token = await loginPassword(ecr);
  v2 = new RegistryClient(server.url).withToken(token);
});

afterAll(async () => {
  ecr?.destroy();
  await server?.close(1000);
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

/** The text format, as `name{labels} value` → value; enough for counters. */
async function scrape(): Promise<Map<string, number>> {
  const response = await fetch(`${server.url}/metrics`);
  expect(response.status).toBe(200);
  expect(response.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
  const samples = new Map<string, number>();
  for (const line of (await response.text()).split('\n')) {
    const match = /^([a-z_]+(?:\{[^}]*\})?) (\S+)$/.exec(line);
    if (match) samples.set(match[1] as string, Number(match[2]));
  }
  return samples;
}

const delta = (before: Map<string, number>, after: Map<string, number>, sample: string) => (after.get(sample) ?? 0) - (before.get(sample) ?? 0);

describe('/metrics', () => {
  it('counts a push and a pull by route, method and status, with their bytes', async () => {
    const before = await scrape();
    const layer = randomBytes(40_000);
    const image = await v2.pushImage('metrics/app', 'v1', 'metrics', {});
    await v2.pushBlob('metrics/app', layer);
    const pulled = await v2.send('GET', `/v2/metrics/app/manifests/v1`);
    expect(pulled.status).toBe(200);
    const blob = await v2.send('GET', `/v2/metrics/app/blobs/${image.layerDigest}`);
    expect(blob.status).toBe(200);
    const missing = await v2.send('GET', `/v2/metrics/app/manifests/nope`);
    expect(missing.status).toBe(404);
    const after = await scrape();

    const requests = (route: string, method: string, status: number) =>
      delta(before, after, `cargohold_http_requests_total{route="${route}",method="${method}",status="${status}"}`);
    // Three monolithic blob pushes (config, layer, the extra layer), one manifest PUT, two manifest GETs and a blob GET.
    expect(requests('ecr:InitiateLayerUpload,ecr:UploadLayerPart,ecr:CompleteLayerUpload', 'POST', 201)).toBe(3);
    expect(requests('ecr:PutImage', 'PUT', 201)).toBe(1);
    expect(requests('ecr:BatchGetImage', 'GET', 200)).toBe(1);
    expect(requests('ecr:BatchGetImage', 'GET', 404)).toBe(1);
    expect(requests('ecr:GetDownloadUrlForLayer', 'GET', 200)).toBe(1);
    expect(delta(before, after, 'cargohold_http_request_duration_seconds_count{route="ecr:PutImage",method="PUT"}')).toBe(1);
    // Bytes count whole requests and responses: the pushes carried the 40 000-byte layer; the blob GET sent its body.
    expect(
      delta(before, after, 'cargohold_http_received_bytes_total{route="ecr:InitiateLayerUpload,ecr:UploadLayerPart,ecr:CompleteLayerUpload"}'),
    ).toBeGreaterThanOrEqual(40_000);
    expect(delta(before, after, 'cargohold_http_sent_bytes_total{route="ecr:GetDownloadUrlForLayer"}')).toBeGreaterThan(image.layerDigest.length);
    expect(after.get('cargohold_upload_sessions_active')).toBe(0);
    expect(after.get('cargohold_outbox_dead_letters')).toBe(0);
    expect(after.has('cargohold_outbox_depth')).toBe(true);
    expect(after.has('cargohold_process_resident_memory_bytes')).toBe(true);
  });

  it('counts an upload session while it is open', async () => {
    const started = await v2.send('POST', '/v2/metrics/app/blobs/uploads/', { headers: { 'Content-Length': 0 } });
    expect(started.status).toBe(202);
    expect((await scrape()).get('cargohold_upload_sessions_active')).toBe(1);
    expect((await v2.send('DELETE', started.headers['location'] as string)).status).toBe(204);
    expect((await scrape()).get('cargohold_upload_sessions_active')).toBe(0);
  });
});

describe('the request log', () => {
  it('has one line per request, keyed by the id on the response, with account, repository and action', async () => {
    const response = await v2.send('GET', '/v2/metrics/app/manifests/v1');
    const id = response.headers['x-amzn-requestid'];
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    const line = lines.map((text) => JSON.parse(text) as Record<string, unknown>).find((entry) => entry['requestId'] === id && entry['msg'] === 'request');
    expect(line).toMatchObject({
      level: 30,
      method: 'GET',
      path: '/v2/metrics/app/manifests/v1',
      status: 200,
      action: 'ecr:BatchGetImage',
      account: '000000000000',
      registry: '000000000000:us-east-1',
      repository: 'metrics/app',
      principal: 'arn:aws:iam::000000000000:user/operator',
    });
    expect(typeof line?.['ms']).toBe('number');
  });

  it('never holds the token or the secret key after a whole client journey, debug level included', async () => {
    if (!skopeoAvailable()) {
      console.warn('SKIPPED: skopeo is not installed (/usr/bin/skopeo); the journey below needs it');
      return;
    }
    const work = await mkdtemp(join(tmpdir(), 'cargohold-journey-'));
    try {
      await writeOciLayout(join(work, 'src'), 'v1', [randomBytes(3000)]);
      const host = server.url.replace('http://', '');
      const creds = `AWS:${token}`;
      await skopeo(['copy', '--dest-tls-verify=false', '--dest-creds', creds, `oci:${join(work, 'src')}:v1`, `docker://${host}/journey/app:v1`]);
      await skopeo(['copy', '--src-tls-verify=false', '--src-creds', creds, `docker://${host}/journey/app:v1`, `oci:${join(work, 'back')}:v1`]);
      // A download URL carries a short-lived token in its query string: the log must not keep it either.
      const images = await ecr.send(new DescribeImagesCommand({ repositoryName: 'journey/app' }));
      expect(images.imageDetails).toHaveLength(1);
      const denied = await new RegistryClient(server.url).withToken(`${token.slice(0, -4)}AAAA`).send('GET', '/v2/journey/app/manifests/v1');
      expect(denied.status).toBe(401);
    } finally {
      await rm(work, { recursive: true, force: true });
    }
    const log = lines.join('');
    expect(lines.length).toBeGreaterThan(10);
    expect(log).not.toContain(SECRET_KEY);
    expect(log).not.toContain(token);
    expect(log).not.toContain(Buffer.from(`AWS:${token}`).toString('base64'));
    expect(log).not.toContain(token.slice(0, 40));
  });
});

describe('/metrics for the background work', () => {
  it('counts a lifecycle sweep and the garbage collection that follows it', async () => {
    // Sweeps a second after a policy is put, collects every second with no grace: the figures move quickly.
    const s = await startEcrTestServer({ lifecycle: { sweepAfterPutSeconds: 1 }, gc: { intervalSeconds: 1, graceSeconds: 0 } });
    const scrapeOf = async () => {
      const text = await (await fetch(`${s.t.server.url}/metrics`)).text();
      return (name: string) => Number(new RegExp(`^${name.replace(/[{}"]/g, '\\$&')} (\\S+)$`, 'm').exec(text)?.[1] ?? 0);
    };
    try {
      await s.v2.pushImage('swept/app', 'v1', 'first');
      await s.v2.pushImage('swept/app', 'v1', 'second');
      await s.v2.pushImage('swept/app', 'v1', 'third'); // two untagged images now: the policy keeps one
      const policy = {
        rules: [{ rulePriority: 1, selection: { tagStatus: 'untagged', countType: 'imageCountMoreThan', countNumber: 1 }, action: { type: 'expire' } }],
      };
      await s.ecr.send(new PutLifecyclePolicyCommand({ repositoryName: 'swept/app', lifecyclePolicyText: JSON.stringify(policy) }));
      let read = await scrapeOf();
      for (let waited = 0; waited < 20_000 && read('cargohold_gc_blobs_deleted_total') < 2; waited += 250) {
        await new Promise((resolve) => setTimeout(resolve, 250));
        read = await scrapeOf();
      }
      expect(read('cargohold_lifecycle_sweeps_total{outcome="success"}')).toBe(1);
      expect(read('cargohold_lifecycle_images_total{action="expire"}')).toBe(1);
      expect(read('cargohold_lifecycle_images_total{action="transition"}')).toBe(0);
      // The expired image's config, layer and manifest bytes were referenced by nothing else.
      expect(read('cargohold_gc_blobs_deleted_total')).toBeGreaterThanOrEqual(2);
      expect(read('cargohold_gc_bytes_reclaimed_total')).toBeGreaterThan(0);
      expect(read('cargohold_gc_runs_total{outcome="success"}')).toBeGreaterThanOrEqual(1);
      expect(read('cargohold_gc_runs_total{outcome="failure"}')).toBe(0);
    } finally {
      await s.stop();
    }
  });
});
