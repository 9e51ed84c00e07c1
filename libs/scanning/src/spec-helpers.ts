// Test helpers: image layers built in memory, the way a registry would hand them to the scanner.
import { pipeline, Readable } from 'node:stream';
import { createGzip } from 'node:zlib';
import { pack } from 'tar-stream';
import type { ImageLayer } from './scan-image';

export const OCI_TAR = 'application/vnd.oci.image.layer.v1.tar';
export const OCI_TAR_GZIP = 'application/vnd.oci.image.layer.v1.tar+gzip';
export const OCI_TAR_ZSTD = 'application/vnd.oci.image.layer.v1.tar+zstd';
export const DOCKER_LAYER = 'application/vnd.docker.image.rootfs.diff.tar.gzip';

export interface TarEntrySpec {
  name: string;
  content?: string | Uint8Array;
  type?: 'file' | 'directory' | 'symlink' | 'link' | 'fifo';
  linkname?: string;
}

/** A whole tar archive in memory, built with tar-stream as an image builder would. */
export async function tarball(entries: readonly TarEntrySpec[]): Promise<Buffer> {
  const archive = pack();
  const chunks: Buffer[] = [];
  const collected = (async () => {
    for await (const chunk of archive) chunks.push(chunk as Buffer);
  })();
  for (const entry of entries) {
    const type = entry.type ?? 'file';
    await new Promise<void>((resolve, reject) => {
      const done = (error?: Error | null): void => (error ? reject(error) : resolve());
      const header = { name: entry.name, type, linkname: entry.linkname, mode: type === 'directory' ? 0o755 : 0o644 };
      if (type === 'file') archive.entry(header, Buffer.from(entry.content ?? ''), done);
      else archive.entry(header, done);
    });
  }
  archive.finalize();
  await collected;
  return Buffer.concat(chunks);
}

export async function gzip(source: Uint8Array | AsyncIterable<Uint8Array>): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of gzipStream(source instanceof Uint8Array ? [source] : source)) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/**
 * Gzip as a lazy stream: nothing is compressed before the consumer asks for it, and a consumer that
 * stops early ends the generator behind it too.
 */
export function gzipStream(source: Iterable<Uint8Array> | AsyncIterable<Uint8Array>): AsyncIterable<Uint8Array> {
  return pipeline(Readable.from(source, { objectMode: false }), createGzip({ level: 1 }), () => undefined);
}

/** Serves bytes in small chunks, as a blob store streams them. */
export async function* chunked(bytes: Uint8Array, size = 4096): AsyncIterable<Uint8Array> {
  for (let i = 0; i < bytes.length; i += size) yield bytes.subarray(i, i + size);
}

export function layer(bytes: Uint8Array, mediaType = OCI_TAR_GZIP): ImageLayer {
  return { mediaType, open: async () => chunked(bytes) };
}

export async function gzipLayer(entries: readonly TarEntrySpec[], mediaType = OCI_TAR_GZIP): Promise<ImageLayer> {
  return layer(await gzip(await tarball(entries)), mediaType);
}

/** A ustar header block for a regular file of `size` bytes, written by hand for lazily generated archives. */
export function ustarHeader(name: string, size = 0): Buffer {
  const block = Buffer.alloc(512);
  const field = (value: string, offset: number, length: number): void => void block.write(value, offset, length, 'ascii');
  field(name, 0, 100);
  field('0000644\0', 100, 8);
  field('0000000\0', 108, 8);
  field('0000000\0', 116, 8);
  field(`${size.toString(8).padStart(11, '0')}\0`, 124, 12);
  field('14520000000\0', 136, 12);
  field('        ', 148, 8);
  field('0', 156, 1);
  field('ustar\0', 257, 6);
  field('00', 263, 2);
  let sum = 0;
  for (const byte of block) sum += byte;
  field(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 8);
  return block;
}

/** Counts what a lazy source actually produced: proof that a scan stopped early. */
export function counted(source: AsyncIterable<Uint8Array>): { stream: AsyncIterable<Uint8Array>; produced: () => number } {
  let produced = 0;
  async function* stream(): AsyncIterable<Uint8Array> {
    for await (const chunk of source) {
      produced += chunk.length;
      yield chunk;
    }
  }
  return { stream: stream(), produced: () => produced };
}

export function text(content: Uint8Array | undefined): string {
  return Buffer.from(content ?? new Uint8Array()).toString('utf8');
}
