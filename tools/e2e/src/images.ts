import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { pack, type Pack } from 'tar-stream';
import { hexOf, writeJsonBlob, writeLayer, type Descriptor, type LayerSpec, type Platform, type WrittenLayer } from './blobs';

/**
 * Offline image builders: everything a client test pushes is made here, byte for byte, so tests can
 * assert that what comes back from the registry has exactly the digests that went in.
 *
 * OCI image layout written by buildOciLayout / buildMultiArchLayout:
 *
 *   <dir>/oci-layout                  {"imageLayoutVersion":"1.0.0"}
 *   <dir>/index.json                  one descriptor (manifest or index), tag in org.opencontainers.image.ref.name
 *   <dir>/blobs/sha256/<hex>          manifests, configs, layers, indexes
 */

export type ImageFormat = 'oci' | 'docker';

export interface ContainerConfig {
  Env?: string[];
  Cmd?: string[];
  Entrypoint?: string[];
  WorkingDir?: string;
  Labels?: Record<string, string>;
}

export interface ImageSpec {
  layers: LayerSpec[];
  /** Default linux/amd64. */
  platform?: Platform;
  /** 'docker' writes Docker schema2 media types (manifest, config, layers). Default 'oci'. */
  format?: ImageFormat;
  /** Written as the `org.opencontainers.image.ref.name` annotation in index.json (`oci:<dir>:<tag>`). */
  tag?: string;
  config?: ContainerConfig;
}

export interface BuiltImage {
  manifest: Descriptor;
  manifestBytes: Buffer;
  config: Descriptor;
  configBytes: Buffer;
  layers: Descriptor[];
  diffIds: string[];
  /** Every blob digest of the image: manifest, config, then layers. */
  blobs: string[];
}

export interface BuiltIndex {
  index: Descriptor;
  indexBytes: Buffer;
  images: BuiltImage[];
  /** Every blob digest: the index, then each image's blobs. */
  blobs: string[];
}

export interface MultiArchOptions {
  format?: ImageFormat;
  tag?: string;
  /** Layers per platform; by default one small layer naming the platform, so children differ. */
  layers?: (platform: Platform) => LayerSpec[];
}

export const MEDIA_TYPES = {
  oci: {
    manifest: 'application/vnd.oci.image.manifest.v1+json',
    index: 'application/vnd.oci.image.index.v1+json',
    config: 'application/vnd.oci.image.config.v1+json',
    layer: { gzip: 'application/vnd.oci.image.layer.v1.tar+gzip', none: 'application/vnd.oci.image.layer.v1.tar' },
  },
  docker: {
    manifest: 'application/vnd.docker.distribution.manifest.v2+json',
    index: 'application/vnd.docker.distribution.manifest.list.v2+json',
    config: 'application/vnd.docker.container.image.v1+json',
    layer: { gzip: 'application/vnd.docker.image.rootfs.diff.tar.gzip', none: 'application/vnd.docker.image.rootfs.diff.tar' },
  },
} as const;

export const AMD64: Platform = { os: 'linux', architecture: 'amd64' };
export const ARM64: Platform = { os: 'linux', architecture: 'arm64', variant: 'v8' };
const CREATED = '1970-01-01T00:00:00Z';
const REF_NAME = 'org.opencontainers.image.ref.name';

/** Writes a single-platform image as an OCI image layout at `dir` (created if missing). */
export async function buildOciLayout(dir: string, spec: ImageSpec): Promise<BuiltImage> {
  const image = await writeImage(blobDirOf(dir), spec);
  await writeLayoutIndex(dir, image.manifest, spec.tag);
  return image;
}

/** Writes an image index (OCI index, or Docker manifest list) with one child image per platform. */
export async function buildMultiArchLayout(dir: string, platforms: Platform[] = [AMD64, ARM64], options: MultiArchOptions = {}): Promise<BuiltIndex> {
  const format = options.format ?? 'oci';
  const layersOf = options.layers ?? ((p: Platform) => [{ files: [{ path: 'etc/platform', content: `${platformName(p)}\n` }] }]);
  const images: BuiltImage[] = [];
  for (const platform of platforms) {
    images.push(await writeImage(blobDirOf(dir), { layers: layersOf(platform), platform, format }));
  }
  const types = MEDIA_TYPES[format];
  const { descriptor: index, bytes: indexBytes } = await writeJsonBlob(
    blobDirOf(dir),
    {
      schemaVersion: 2,
      mediaType: types.index,
      manifests: images.map((image, i) => ({ ...image.manifest, platform: platforms[i] })),
    },
    types.index,
  );
  await writeLayoutIndex(dir, index, options.tag);
  return { index, indexBytes, images, blobs: [index.digest, ...images.flatMap((image) => image.blobs)] };
}

export interface DockerArchiveSpec extends Omit<ImageSpec, 'format' | 'tag'> {
  /** Tags `docker load` applies, e.g. `cargohold-e2e/app:v1`. */
  repoTags: string[];
}

export interface BuiltDockerArchive {
  /** What `docker images --no-trunc` reports as the image ID after loading: the config digest. */
  imageId: string;
  config: Descriptor;
  layers: Descriptor[];
  diffIds: string[];
}

/**
 * Writes a `docker save`-format tarball: manifest.json, `<config hex>.json`, `<layer hex>/layer.tar`.
 * Layers are uncompressed unless a layer asks for gzip (docker load accepts both).
 */
export async function buildDockerArchive(file: string, spec: DockerArchiveSpec): Promise<BuiltDockerArchive> {
  await mkdir(dirname(file), { recursive: true });
  const scratch = await mkdtemp(join(dirname(file), '.docker-archive-'));
  try {
    const layerSpecs = spec.layers.map((layer) => ({ ...layer, compression: layer.compression ?? 'none' }));
    const image = await writeImage(scratch, { ...spec, layers: layerSpecs, format: 'docker' });
    const configName = `${hexOf(image.config.digest)}.json`;
    const layerNames = image.layers.map((layer) => `${hexOf(layer.digest)}/layer.tar`);
    const manifest = [{ Config: configName, RepoTags: spec.repoTags, Layers: layerNames }];
    const tar = pack();
    const writing = pipeline(tar as unknown as NodeJS.ReadableStream, createWriteStream(file));
    await appendBytes(tar, 'manifest.json', Buffer.from(JSON.stringify(manifest)));
    await appendBytes(tar, configName, image.configBytes);
    for (const [i, layer] of image.layers.entries()) {
      await appendFile(tar, layerNames[i] as string, join(scratch, hexOf(layer.digest)), layer.size);
    }
    tar.finalize();
    await writing;
    return { imageId: image.config.digest, config: image.config, layers: image.layers, diffIds: image.diffIds };
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}

export function platformName(platform: Platform): string {
  return [platform.os, platform.architecture, platform.variant].filter(Boolean).join('/');
}

export function blobDirOf(layoutDir: string): string {
  return join(layoutDir, 'blobs', 'sha256');
}

async function writeImage(blobDir: string, spec: ImageSpec): Promise<BuiltImage> {
  const types = MEDIA_TYPES[spec.format ?? 'oci'];
  const platform = spec.platform ?? AMD64;
  const written: WrittenLayer[] = [];
  for (const layer of spec.layers) written.push(await writeLayer(blobDir, layer));
  const layers = written.map((l) => ({ mediaType: types.layer[l.compression], digest: l.digest, size: l.size }));
  const diffIds = written.map((l) => l.diffId);
  const configJson = {
    created: CREATED,
    architecture: platform.architecture,
    os: platform.os,
    ...(platform.variant ? { variant: platform.variant } : {}),
    config: { Env: ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'], ...spec.config },
    rootfs: { type: 'layers', diff_ids: diffIds },
    history: written.map(() => ({ created: CREATED, created_by: 'cargohold e2e image builder' })),
  };
  const { descriptor: config, bytes: configBytes } = await writeJsonBlob(blobDir, configJson, types.config);
  const manifestJson = { schemaVersion: 2, mediaType: types.manifest, config, layers };
  const { descriptor: manifest, bytes: manifestBytes } = await writeJsonBlob(blobDir, manifestJson, types.manifest);
  const blobs = [manifest.digest, config.digest, ...layers.map((l) => l.digest)];
  return { manifest, manifestBytes, config, configBytes, layers, diffIds, blobs };
}

async function writeLayoutIndex(dir: string, descriptor: Descriptor, tag: string | undefined): Promise<void> {
  const entry = tag ? { ...descriptor, annotations: { [REF_NAME]: tag } } : descriptor;
  const index = { schemaVersion: 2, mediaType: MEDIA_TYPES.oci.index, manifests: [entry] };
  await writeFile(join(dir, 'oci-layout'), JSON.stringify({ imageLayoutVersion: '1.0.0' }));
  await writeFile(join(dir, 'index.json'), JSON.stringify(index));
}

function appendBytes(tar: Pack, name: string, bytes: Buffer): Promise<void> {
  return new Promise((resolve, reject) => {
    tar.entry({ name, size: bytes.length, mode: 0o644, mtime: new Date(0) }, bytes, (error) => (error ? reject(error) : resolve()));
  });
}

async function appendFile(tar: Pack, name: string, path: string, size: number): Promise<void> {
  let sink!: ReturnType<Pack['entry']>;
  const done = new Promise<void>((resolve, reject) => {
    sink = tar.entry({ name, size, mode: 0o644, mtime: new Date(0) }, (error) => (error ? reject(error) : resolve()));
  });
  for await (const chunk of createReadStream(path)) {
    if (!sink.write(chunk as Buffer)) await new Promise<void>((resolve) => sink.once('drain', () => resolve()));
  }
  sink.end(undefined);
  await done;
}
