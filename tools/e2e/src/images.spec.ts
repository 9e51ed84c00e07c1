import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createGunzip } from 'node:zlib';
import { Readable } from 'node:stream';
import { extract } from 'tar-stream';
import { sha256 } from './blobs';
import { ARM64, MEDIA_TYPES, buildDockerArchive, buildMultiArchLayout, buildOciLayout } from './images';
import { readLayoutBlob, readOciLayout } from './layout-reader';

describe('image builders', () => {
  let work: string;

  beforeEach(async () => {
    work = await mkdtemp(join(tmpdir(), 'cargohold-e2e-images-'));
  });

  afterEach(async () => {
    await rm(work, { recursive: true, force: true });
  });

  describe('buildOciLayout', () => {
    it('writes a layout whose index.json names the manifest under its tag and whose blobs match their names', async () => {
      const built = await buildOciLayout(join(work, 'layout'), { tag: 'v1', layers: [{ files: [{ path: 'hello.txt', content: 'hi\n' }] }] });

      const layout = await readOciLayout(join(work, 'layout'));

      expect(layout.manifests).toEqual([{ ...built.manifest, annotations: { 'org.opencontainers.image.ref.name': 'v1' } }]);
      expect(layout.blobs).toEqual([...built.blobs].sort());
      expect(JSON.parse(await readFile(join(work, 'layout', 'oci-layout'), 'utf8'))).toEqual({ imageLayoutVersion: '1.0.0' });
    });

    it('is deterministic for file layers, so the same spec always yields the same digests', async () => {
      const spec = { layers: [{ files: [{ path: 'a', content: 'a' }] }, { files: [{ path: 'b', content: 'b' }], compression: 'none' as const }] };

      const first = await buildOciLayout(join(work, 'one'), spec);
      const second = await buildOciLayout(join(work, 'two'), spec);

      expect(second.blobs).toEqual(first.blobs);
    });

    it('records the uncompressed tar digest as the diff id of a gzip layer', async () => {
      const built = await buildOciLayout(join(work, 'layout'), { layers: [{ files: [{ path: 'f', content: 'x'.repeat(10_000) }] }] });
      const [layer] = built.layers;
      if (!layer) throw new Error('no layer built');

      const compressed = await readLayoutBlob(join(work, 'layout'), layer.digest);
      const tar = await collect(Readable.from([compressed]).pipe(createGunzip()));

      expect(layer.mediaType).toBe(MEDIA_TYPES.oci.layer.gzip);
      expect(sha256(tar)).toBe(built.diffIds[0]);
      expect(JSON.parse(built.configBytes.toString()).rootfs.diff_ids).toEqual(built.diffIds);
    });

    it('writes Docker schema2 media types for format docker', async () => {
      const built = await buildOciLayout(join(work, 'layout'), { format: 'docker', layers: [{ randomBytes: 3000, compression: 'none' }] });

      const manifest = JSON.parse(built.manifestBytes.toString());

      expect(manifest.mediaType).toBe(MEDIA_TYPES.docker.manifest);
      expect(manifest.config.mediaType).toBe(MEDIA_TYPES.docker.config);
      expect(manifest.layers[0].mediaType).toBe(MEDIA_TYPES.docker.layer.none);
      expect(sha256(built.manifestBytes)).toBe(built.manifest.digest);
    });
  });

  describe('buildMultiArchLayout', () => {
    it('writes an index whose children carry their platforms and differ from each other', async () => {
      const built = await buildMultiArchLayout(join(work, 'multi'));

      const index = JSON.parse(built.indexBytes.toString());

      expect(index.mediaType).toBe(MEDIA_TYPES.oci.index);
      expect(index.manifests.map((m: { platform: { architecture: string } }) => m.platform.architecture)).toEqual(['amd64', 'arm64']);
      expect(index.manifests[1].platform).toEqual(ARM64);
      expect(new Set(built.images.map((image) => image.manifest.digest)).size).toBe(2);
      expect((await readOciLayout(join(work, 'multi'))).manifests[0]?.digest).toBe(built.index.digest);
    });
  });

  describe('buildDockerArchive', () => {
    it('writes manifest.json, the config named by its digest and one layer.tar per layer', async () => {
      const built = await buildDockerArchive(join(work, 'image.tar'), { repoTags: ['e2e/app:v1'], layers: [{ files: [{ path: 'app', content: 'app' }] }] });

      const entries = await tarEntries(await readFile(join(work, 'image.tar')));
      const entry = (name: string): Buffer => entries.get(name) ?? Buffer.alloc(0);
      const manifest = JSON.parse(entry('manifest.json').toString());
      const configName = `${built.imageId.slice('sha256:'.length)}.json`;

      expect(manifest).toEqual([{ Config: configName, RepoTags: ['e2e/app:v1'], Layers: [expect.stringMatching(/^[0-9a-f]{64}\/layer\.tar$/)] }]);
      expect(sha256(entry(configName))).toBe(built.imageId);
      expect(sha256(entry(manifest[0].Layers[0]))).toBe(built.diffIds[0]);
    });
  });
});

async function collect(stream: NodeJS.ReadableStream): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

async function tarEntries(tar: Buffer): Promise<Map<string, Buffer>> {
  const entries = new Map<string, Buffer>();
  const reader = extract();
  reader.end(tar);
  for await (const entry of reader) entries.set(entry.header.name, await collect(entry as unknown as NodeJS.ReadableStream));
  return entries;
}
