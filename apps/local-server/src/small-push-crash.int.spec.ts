import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bundleCli, spawnServer } from './testing/child-server';
import { raw, sha256 } from './testing/registry-client';

/** Clients pushing at once, each small layer by skopeo's requests: POST, one streamed PATCH, PUT. */
const CLIENTS = 8;
const LAYER_BYTES = 64 * 1024;
/** The process dies once this many layers were acknowledged, with every client mid-push. */
const KILL_AFTER_ACKS = 40;

interface Layer {
  readonly repo: string;
  readonly digest: string;
  readonly bytes: Buffer;
}

/** The path (and query) of an upload Location, with `digest` added for the closing PUT. */
function pathOf(base: string, location: string | string[] | undefined, digest?: string): string {
  const url = new URL(String(location), base);
  if (digest) url.searchParams.set('digest', digest);
  return url.pathname + url.search;
}

/** Pushes fresh layers until `stop` says so; records each layer once its PUT answered 201. */
async function pushUntilKilled(base: string, repo: string, acknowledged: Layer[], unexpected: string[], stop: () => boolean): Promise<void> {
  while (!stop()) {
    const bytes = randomBytes(LAYER_BYTES);
    const digest = sha256(bytes);
    try {
      const opened = await raw(base, 'POST', `/v2/${repo}/blobs/uploads/`, { headers: { 'Content-Length': 0 } });
      const patched = await raw(base, 'PATCH', pathOf(base, opened.headers['location']), { headers: { 'Content-Length': bytes.length }, body: bytes });
      const put = await raw(base, 'PUT', pathOf(base, patched.headers['location'], digest), { headers: { 'Content-Length': 0 } });
      if (put.status === 201) acknowledged.push({ repo, digest, bytes });
      else if (!stop()) unexpected.push(`${opened.status} ${patched.status} ${put.status}`);
    } catch {
      return; // the connection died with the process: nothing of this layer was acknowledged
    }
  }
}

describe('small pushes and kill -9', () => {
  let dir: string;
  let cli: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'cargohold-small-crash-'));
    cli = bundleCli(dir);
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('reads back every acknowledged layer byte-identical after the server was killed during a burst of pushes', async () => {
    const dataDir = join(dir, 'data');
    const first = await spawnServer(cli, dataDir);
    const acknowledged: Layer[] = [];
    const unexpected: string[] = [];
    let killed = false;
    const exited = new Promise((resolve) => first.child.once('exit', resolve));
    const killer = setInterval(() => {
      if (acknowledged.length < KILL_AFTER_ACKS || killed) return;
      killed = true;
      first.child.kill('SIGKILL');
    }, 1);
    try {
      await Promise.all(Array.from({ length: CLIENTS }, (_, n) => pushUntilKilled(first.url, `crash/small-${n}`, acknowledged, unexpected, () => killed)));
    } finally {
      clearInterval(killer);
      if (!killed) first.child.kill('SIGKILL');
      await exited;
    }
    expect(unexpected).toEqual([]);
    expect(acknowledged.length).toBeGreaterThanOrEqual(KILL_AFTER_ACKS);

    const second = await spawnServer(cli, dataDir);
    try {
      const mismatched: string[] = [];
      for (const layer of acknowledged) {
        const got = await raw(second.url, 'GET', `/v2/${layer.repo}/blobs/${layer.digest}`);
        if (got.status !== 200 || !got.body.equals(layer.bytes)) mismatched.push(`${layer.repo}@${layer.digest}: ${got.status}, ${got.body.length} bytes`);
      }
      expect(mismatched).toEqual([]);
    } finally {
      second.child.kill('SIGTERM');
      await new Promise((resolve) => second.child.once('exit', resolve));
    }
  }, 120_000);
});
