import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sha256 } from './blobs';
import { describeWithClients, skopeo } from './clients';
import { MEDIA_TYPES, buildMultiArchLayout, buildOciLayout, type BuiltImage, type BuiltIndex, type ImageFormat } from './images';
import { readDirTransport, readOciLayout } from './layout-reader';
import { startRegistryUnderTest, type RegistryUnderTest } from './registry-under-test';

/**
 * skopeo copies content without rewriting it when told to (`--preserve-digests`), so every digest built
 * locally must come back from the registry unchanged: manifests byte-exact, blobs byte-exact.
 * Docker schema2 content is pulled back with the dir: transport, because oci: converts it to OCI; and
 * its layouts are referenced without a tag (`oci:<dir>`): skopeo 1.9 only matches
 * `org.opencontainers.image.ref.name` on descriptors with OCI media types.
 */

jest.setTimeout(180_000);

describeWithClients(['skopeo'], 'skopeo against the registry under test', () => {
  let registry: RegistryUnderTest;
  let work: string;

  const run = (args: string[]) => {
    const credentials = registry.credentials;
    return skopeo(args, credentials ? { creds: `${credentials.username}:${credentials.password}` } : {});
  };
  const ref = (repository: string, tagOrDigest: string) =>
    `docker://${registry.host}/${repository}${tagOrDigest.startsWith('sha256:') ? '@' : ':'}${tagOrDigest}`;
  const inspectRaw = async (reference: string) => Buffer.from((await run(['inspect', '--raw', reference])).stdout, 'utf8');

  beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), 'cargohold-e2e-skopeo-'));
    registry = await startRegistryUnderTest();
  });

  afterAll(async () => {
    await registry?.stop();
    if (work) await rm(work, { recursive: true, force: true });
  });

  describe('an OCI image pushed with --preserve-digests', () => {
    let built: BuiltImage;

    beforeAll(async () => {
      built = await buildOciLayout(join(work, 'oci-source'), {
        tag: 'v1',
        config: { Cmd: ['/hello'] },
        layers: [{ files: [{ path: 'hello', content: '#!/bin/sh\necho hello\n', mode: 0o755 }] }, { randomBytes: 3 * 1024 * 1024, compression: 'none' }],
      });
      await run(['copy', '--preserve-digests', `oci:${join(work, 'oci-source')}:v1`, ref('e2e/oci-image', 'v1')]);
    });

    it('serves the exact manifest bytes to skopeo inspect --raw, by tag and by digest', async () => {
      expect((await inspectRaw(ref('e2e/oci-image', 'v1'))).equals(built.manifestBytes)).toBe(true);
      expect((await inspectRaw(ref('e2e/oci-image', built.manifest.digest))).equals(built.manifestBytes)).toBe(true);
    });

    it('reports the built manifest digest and platform to skopeo inspect', async () => {
      const inspected = JSON.parse((await run(['inspect', ref('e2e/oci-image', 'v1')])).stdout);

      expect(inspected).toMatchObject({ Digest: built.manifest.digest, Architecture: 'amd64', Os: 'linux' });
    });

    it('pulls back into a fresh oci: layout with every digest unchanged', async () => {
      const pulled = join(work, 'oci-pulled');

      await run(['copy', '--preserve-digests', '--dest-oci-accept-uncompressed-layers', ref('e2e/oci-image', 'v1'), `oci:${pulled}:v1`]);

      const layout = await readOciLayout(pulled);
      expect(layout.manifests.map((m) => m.digest)).toEqual([built.manifest.digest]);
      expect(layout.blobs).toEqual([...built.blobs].sort());
    });
  });

  describe('a Docker schema2 image pushed with --preserve-digests', () => {
    let built: BuiltImage;

    beforeAll(async () => {
      built = await buildOciLayout(join(work, 'docker-source'), {
        tag: 'v1',
        format: 'docker',
        layers: [
          { files: [{ path: 'etc/motd', content: 'docker schema2\n' }] },
          { files: [{ path: 'data.txt', content: 'plain tar\n' }], compression: 'none' },
        ],
      });
      await run(['copy', '--preserve-digests', `oci:${join(work, 'docker-source')}`, ref('e2e/docker-image', 'v1')]);
    });

    it('keeps the Docker media type and the exact manifest bytes', async () => {
      const raw = await inspectRaw(ref('e2e/docker-image', 'v1'));

      expect(raw.equals(built.manifestBytes)).toBe(true);
      expect(JSON.parse(raw.toString()).mediaType).toBe(MEDIA_TYPES.docker.manifest);
    });

    it('pulls back into a dir: directory with every digest unchanged', async () => {
      const pulled = join(work, 'docker-pulled');

      await run(['copy', '--preserve-digests', ref('e2e/docker-image', 'v1'), `dir:${pulled}`]);

      const dir = await readDirTransport(pulled);
      expect(sha256(dir.manifestBytes)).toBe(built.manifest.digest);
      expect(dir.blobs).toEqual(built.blobs.slice(1).sort());
    });
  });

  describe.each<ImageFormat>(['oci', 'docker'])('a multi-arch %s index pushed with --all --preserve-digests', (format) => {
    const repository = `e2e/multi-${format}`;
    let built: BuiltIndex;

    beforeAll(async () => {
      const source = join(work, `multi-${format}-source`);
      built = await buildMultiArchLayout(source, undefined, { format, tag: 'v1' });
      await run(['copy', '--all', '--preserve-digests', format === 'oci' ? `oci:${source}:v1` : `oci:${source}`, ref(repository, 'v1')]);
    });

    it('serves the index and each child manifest byte-exact', async () => {
      expect((await inspectRaw(ref(repository, 'v1'))).equals(built.indexBytes)).toBe(true);
      for (const image of built.images) {
        expect((await inspectRaw(ref(repository, image.manifest.digest))).equals(image.manifestBytes)).toBe(true);
      }
    });

    it('resolves the arm64 child for skopeo --override-arch arm64', async () => {
      const inspected = JSON.parse((await run(['--override-arch', 'arm64', 'inspect', ref(repository, 'v1')])).stdout);

      // skopeo reports the digest of what the reference names (the index), and the child's config and layers.
      expect(inspected).toMatchObject({ Digest: built.index.digest, Architecture: 'arm64', Layers: built.images[1]?.layers.map((l) => l.digest) });
    });

    it('pulls every platform back with every digest unchanged', async () => {
      const pulled = join(work, `multi-${format}-pulled`);
      const destination = format === 'oci' ? `oci:${pulled}:v1` : `dir:${pulled}`;

      await run(['copy', '--all', '--preserve-digests', ref(repository, 'v1'), destination]);

      if (format === 'oci') {
        const layout = await readOciLayout(pulled);
        expect(layout.manifests.map((m) => m.digest)).toEqual([built.index.digest]);
        expect(layout.blobs).toEqual([...built.blobs].sort());
      } else {
        const dir = await readDirTransport(pulled);
        expect(sha256(dir.manifestBytes)).toBe(built.index.digest);
        expect(dir.instances).toEqual(built.images.map((image) => image.manifest.digest).sort());
        expect(dir.blobs).toEqual([...new Set(built.images.flatMap((image) => image.blobs.slice(1)))].sort());
      }
    });
  });

  describe('tags', () => {
    it('lists every tag pushed to a repository with skopeo list-tags', async () => {
      await buildOciLayout(join(work, 'tags-source'), { tag: 'latest', layers: [{ files: [{ path: 'tagged', content: 'tags\n' }] }] });
      for (const tag of ['v1', 'v2', 'latest']) {
        await run(['copy', '--preserve-digests', `oci:${join(work, 'tags-source')}:latest`, ref('e2e/tags', tag)]);
      }

      const listed = JSON.parse((await run(['list-tags', `docker://${registry.host}/e2e/tags`])).stdout);

      expect(listed.Repository).toBe(`${registry.host}/e2e/tags`);
      expect([...listed.Tags].sort()).toEqual(['latest', 'v1', 'v2']);
    });
  });

  describe('delete', () => {
    it('removes the manifest with skopeo delete, after which it is unknown', async () => {
      const built = await buildOciLayout(join(work, 'delete-source'), { tag: 'v1', layers: [{ files: [{ path: 'doomed', content: 'bye\n' }] }] });
      await run(['copy', '--preserve-digests', `oci:${join(work, 'delete-source')}:v1`, ref('e2e/delete', 'v1')]);

      await run(['delete', ref('e2e/delete', built.manifest.digest)]);

      await expect(run(['inspect', '--raw', ref('e2e/delete', built.manifest.digest)])).rejects.toThrow(/manifest unknown/i);
    });
  });
});
