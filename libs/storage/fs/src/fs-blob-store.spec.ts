import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { digestOf } from '@cargohold/oci';
import { bodyOf, bytesOf } from '@cargohold/storage-testing';
import { createFsBlobStorage } from './index';

/** The core's comparison, accepting (it computed the digest and it matched). */
const ACCEPT = () => undefined;

describe('FsBlobStore', () => {
  let root: string;
  beforeEach(async () => {
    root = await mkdtemp(join(tmpdir(), 'cargohold-fs-'));
  });
  afterEach(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it('stores a blob at blobs/<alg>/<first two hex>/<hex> and nothing in tmp/', async () => {
    const { blobs } = createFsBlobStorage(root);
    const bytes = bytesOf(10);
    const hex = digestOf(bytes, 'sha512').slice('sha512:'.length);
    await blobs.put(digestOf(bytes, 'sha512'), bodyOf(bytes), ACCEPT);
    expect(existsSync(join(root, 'blobs', 'sha512', hex.slice(0, 2), hex))).toBe(true);
    expect(await readdir(join(root, 'tmp'))).toEqual([]);
  });

  it('keeps a put in flight invisible, and a crashed one is cleaned at construction', async () => {
    const { blobs } = createFsBlobStorage(root);
    const bytes = bytesOf(100);
    let hang: () => void = () => undefined;
    const stalled = (async function* () {
      yield bytes.subarray(0, 50);
      await new Promise<void>((resolve) => (hang = resolve));
      throw new Error('killed');
    })();
    const put = blobs.put(digestOf(bytes), stalled, ACCEPT);
    while ((await readdir(join(root, 'tmp'))).length === 0) await new Promise((r) => setTimeout(r, 5));

    expect(await blobs.stat(digestOf(bytes))).toEqual({ found: false });
    expect(await readdir(join(root, 'blobs'))).toEqual([]);

    createFsBlobStorage(root);
    expect(await readdir(join(root, 'tmp'))).toEqual([]);
    hang();
    await expect(put).rejects.toThrow();
    expect(await blobs.stat(digestOf(bytes))).toEqual({ found: false });
  });

  it('discards stale tmp files (a process killed mid-put) when constructed', async () => {
    await mkdir(join(root, 'tmp'), { recursive: true });
    await writeFile(join(root, 'tmp', 'left-by-a-crash'), bytesOf(100));
    const { blobs } = createFsBlobStorage(root);
    expect(await readdir(join(root, 'tmp'))).toEqual([]);
    expect(await blobs.stat(digestOf(bytesOf(100)))).toEqual({ found: false });
  });

  it('keeps serving an opened blob after it is deleted', async () => {
    const { blobs } = createFsBlobStorage(root);
    const bytes = bytesOf(3 * 1024 * 1024);
    await blobs.put(digestOf(bytes), bodyOf(bytes), ACCEPT);
    const opened = await blobs.open(digestOf(bytes));
    if (!opened.found) throw new Error('blob not found');
    await blobs.delete(digestOf(bytes));
    const chunks: Buffer[] = [];
    for await (const chunk of opened.body) chunks.push(chunk as Buffer);
    expect(Buffer.concat(chunks).equals(bytes)).toBe(true);
  });

  it('quarantines by rename into corrupt/<alg>/<hex>, keeping the bytes', async () => {
    const { blobs } = createFsBlobStorage(root);
    const bytes = bytesOf(10);
    const digest = digestOf(bytes);
    await blobs.put(digest, bodyOf(bytes), ACCEPT);
    await blobs.quarantine(digest);
    expect(existsSync(join(root, 'corrupt', 'sha256', digest.slice(7)))).toBe(true);
    expect(await blobs.stat(digest)).toEqual({ found: false });
  });

  it('lists every stored digest in byte order and skips files that are not blobs', async () => {
    const { blobs } = createFsBlobStorage(root);
    const digests = [bytesOf(3, 1), bytesOf(3, 2), bytesOf(3, 3)].map((bytes) => digestOf(bytes));
    for (const [i, digest] of digests.entries()) await blobs.put(digest, bodyOf(bytesOf(3, i + 1)), ACCEPT);
    await writeFile(join(root, 'blobs', 'sha256', 'stray'), 'x');
    await writeFile(join(root, 'blobs', 'sha256', String(digests[0]).slice(7, 9), 'not-a-digest'), 'x');
    const listed: string[] = [];
    for await (const digest of blobs.list()) listed.push(digest);
    expect(listed).toEqual([...digests].sort());
  });
});
