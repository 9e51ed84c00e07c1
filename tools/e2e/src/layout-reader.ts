import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { hexOf, type Descriptor } from './blobs';
import { blobDirOf } from './images';

/**
 * Readers for what clients write back when pulling, so tests compare digests with what was built.
 * Every blob is re-hashed: a file whose content does not match its name fails the read.
 */

export interface PulledLayout {
  /** The descriptors of index.json (one per copied reference). */
  manifests: Descriptor[];
  /** Digests of every blob in blobs/sha256/, sorted, each verified against its content. */
  blobs: string[];
}

/** Reads an OCI image layout written by `skopeo copy … oci:<dir>[:tag]`. */
export async function readOciLayout(dir: string): Promise<PulledLayout> {
  const index = JSON.parse(await readFile(join(dir, 'index.json'), 'utf8')) as { manifests: Descriptor[] };
  const blobDir = blobDirOf(dir);
  const blobs: string[] = [];
  for (const name of (await readdir(blobDir)).sort()) {
    blobs.push(await verifiedDigest(join(blobDir, name), `sha256:${name}`));
  }
  return { manifests: index.manifests, blobs };
}

export async function readLayoutBlob(dir: string, digest: string): Promise<Buffer> {
  return readFile(join(blobDirOf(dir), hexOf(digest)));
}

export interface PulledDir {
  /** The exact bytes of the top-level manifest (or index) as the registry served them. */
  manifestBytes: Buffer;
  /** Digests of the per-platform manifests copied with --all (`<hex>.manifest.json`), sorted and verified. */
  instances: string[];
  /** Digests of every other blob (files named by hex), sorted and verified. */
  blobs: string[];
}

/**
 * Reads a `skopeo copy … dir:<dir>` directory. Unlike oci:, the dir: transport stores any manifest type
 * unconverted, which makes it the place to pull Docker schema2 images to when digests must not change.
 */
export async function readDirTransport(dir: string): Promise<PulledDir> {
  const manifestBytes = await readFile(join(dir, 'manifest.json'));
  const instances: string[] = [];
  const blobs: string[] = [];
  for (const name of (await readdir(dir)).sort()) {
    const match = /^([0-9a-f]{64})(\.manifest\.json)?$/.exec(name);
    if (!match) continue;
    const digest = await verifiedDigest(join(dir, name), `sha256:${match[1]}`);
    (match[2] ? instances : blobs).push(digest);
  }
  return { manifestBytes, instances, blobs };
}

async function verifiedDigest(path: string, expected: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  const actual = `sha256:${hash.digest('hex')}`;
  if (actual !== expected) throw new Error(`${path} holds ${actual}, not ${expected}`);
  return actual;
}
