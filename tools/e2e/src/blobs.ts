import { createHash, randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Transform, type TransformCallback } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import { pack, type Pack } from 'tar-stream';

/**
 * Content-addressed blob writing for the image builders. Every blob lands in `<blobDir>/<hex>` (the OCI
 * layout's `blobs/sha256/`), written to a temporary name first and renamed once its digest is known.
 * Layers stream (tar → optional gzip → hash → file) so benchmark layers of any size use bounded memory.
 * Output is deterministic: fixed mtimes/owners in tar headers and Node's gzip (mtime 0 in its header),
 * except for `randomBytes` layers, which are random by definition.
 */

export interface FileEntry {
  path: string;
  content: string | Uint8Array;
  mode?: number;
}

export type Compression = 'gzip' | 'none';

/** A layer: a list of files, or one file of `randomBytes` random bytes (benchmark layers). */
export type LayerSpec = ({ files: FileEntry[] } | { randomBytes: number }) & {
  /** Default gzip. */
  compression?: Compression;
};

export interface Descriptor {
  mediaType: string;
  digest: string;
  size: number;
  annotations?: Record<string, string>;
  platform?: Platform;
}

export interface Platform {
  os: string;
  architecture: string;
  variant?: string;
}

export interface WrittenLayer {
  /** Digest and size of the blob as stored (compressed if gzip). */
  digest: string;
  size: number;
  /** Digest of the uncompressed tar: the config's rootfs.diff_ids entry. */
  diffId: string;
  compression: Compression;
}

const EPOCH = new Date(0);
const RANDOM_CHUNK = 1024 * 1024;

export function sha256(bytes: Uint8Array | string): string {
  return `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
}

export function hexOf(digest: string): string {
  return digest.slice(digest.indexOf(':') + 1);
}

/** Writes bytes (a manifest, a config, an index) as a blob and describes them. */
export async function writeJsonBlob(blobDir: string, value: unknown, mediaType: string): Promise<{ descriptor: Descriptor; bytes: Buffer }> {
  const bytes = Buffer.from(JSON.stringify(value), 'utf8');
  const digest = sha256(bytes);
  await mkdir(blobDir, { recursive: true });
  await writeFile(join(blobDir, hexOf(digest)), bytes);
  return { descriptor: { mediaType, digest, size: bytes.length }, bytes };
}

/** Streams one layer tar into `blobDir`, hashing both the tar (diff id) and the stored bytes. */
export async function writeLayer(blobDir: string, spec: LayerSpec): Promise<WrittenLayer> {
  const compression = spec.compression ?? 'gzip';
  await mkdir(blobDir, { recursive: true });
  const temp = join(blobDir, `.partial-${randomBytes(8).toString('hex')}`);
  const tar = pack();
  const uncompressed = new HashingTap();
  const stored = new HashingTap();
  const source = tar as unknown as NodeJS.ReadableStream;
  const writing =
    compression === 'gzip'
      ? pipeline(source, uncompressed, createGzip(), stored, createWriteStream(temp))
      : pipeline(source, uncompressed, stored, createWriteStream(temp));
  await Promise.all([writing, fillTar(tar, spec)]);
  const digest = stored.digest();
  await rename(temp, join(blobDir, hexOf(digest)));
  return { digest, size: stored.size, diffId: uncompressed.digest(), compression };
}

async function fillTar(tar: Pack, spec: LayerSpec): Promise<void> {
  if ('files' in spec) {
    for (const file of spec.files) {
      const content = typeof file.content === 'string' ? Buffer.from(file.content, 'utf8') : file.content;
      await new Promise<void>((resolve, reject) => {
        tar.entry(header(file.path, content.length, file.mode ?? 0o644), content, (error) => (error ? reject(error) : resolve()));
      });
    }
  } else {
    await writeRandomEntry(tar, spec.randomBytes);
  }
  tar.finalize();
}

async function writeRandomEntry(tar: Pack, size: number): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    const sink = tar.entry(header('random.bin', size, 0o644), (error) => (error ? reject(error) : resolve()));
    let remaining = size;
    const writeMore = (): void => {
      while (remaining > 0) {
        const chunk = randomBytes(Math.min(RANDOM_CHUNK, remaining));
        remaining -= chunk.length;
        if (!sink.write(chunk)) {
          sink.once('drain', writeMore);
          return;
        }
      }
      sink.end(undefined);
    };
    writeMore();
  });
}

function header(name: string, size: number, mode: number) {
  return { name: name.replace(/^\/+/, ''), size, mode, mtime: EPOCH, uid: 0, gid: 0, uname: 'root', gname: 'root', type: 'file' as const };
}

/** Pass-through stream that hashes and counts what flows through it. */
class HashingTap extends Transform {
  private readonly hash = createHash('sha256');
  private result: string | undefined;
  size = 0;

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.hash.update(chunk);
    this.size += chunk.length;
    callback(null, chunk);
  }

  /** Valid once the stream has finished. */
  digest(): string {
    this.result ??= `sha256:${this.hash.digest('hex')}`;
    return this.result;
  }
}
