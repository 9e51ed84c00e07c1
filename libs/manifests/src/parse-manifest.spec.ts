import { RegistryError } from '@cargohold/oci';
import { ManifestInvalidError, ManifestTooLargeError } from './errors';
import { parseManifest } from './parse-manifest';
import {
  DOCKER_LIST_TYPE,
  DOCKER_MANIFEST,
  DOCKER_MANIFEST_LIST,
  DOCKER_MANIFEST_TYPE,
  edited,
  OCI_ARTIFACT,
  OCI_INDEX,
  OCI_INDEX_TYPE,
  OCI_MANIFEST_TYPE,
  OCI_MANIFEST_WITHOUT_MEDIA_TYPE,
  utf8,
} from './testing/example-manifests';
import { MAX_MANIFEST_BYTES } from './types';

function rejection(bytes: Uint8Array, contentType: string | undefined): RegistryError {
  try {
    parseManifest(bytes, contentType);
  } catch (error) {
    if (error instanceof RegistryError) return error;
    throw error;
  }
  throw new Error('expected parseManifest to throw');
}

function expectInvalid(bytes: Uint8Array, contentType: string | undefined, message: RegExp): void {
  const error = rejection(bytes, contentType);
  expect(error).toBeInstanceOf(ManifestInvalidError);
  expect(error).toMatchObject({ code: 'MANIFEST_INVALID', status: 400 });
  expect(error.message).toMatch(message);
}

describe('parseManifest', () => {
  describe('accepts', () => {
    it('a Docker schema 2 manifest with two layers', () => {
      const m = parseManifest(utf8(DOCKER_MANIFEST), DOCKER_MANIFEST_TYPE);
      expect(m).toEqual({
        kind: 'image',
        mediaType: DOCKER_MANIFEST_TYPE,
        config: {
          mediaType: 'application/vnd.docker.container.image.v1+json',
          size: 1472,
          digest: 'sha256:b79606fb3afea5bd1609ed40b622142f1c98125abcfe89a76a661b0e8e343910',
        },
        layers: [
          expect.objectContaining({ size: 3408729 }),
          expect.objectContaining({ size: 626, mediaType: 'application/vnd.docker.image.rootfs.diff.tar.gzip' }),
        ],
      });
    });

    it('a Docker manifest list with a platform on every entry', () => {
      const m = parseManifest(utf8(DOCKER_MANIFEST_LIST), DOCKER_LIST_TYPE);
      expect(m.kind).toBe('index');
      expect(m.kind === 'index' && m.manifests.map((d) => d.platform)).toEqual([
        { architecture: 'amd64', os: 'linux' },
        { architecture: 'arm64', os: 'linux', variant: 'v8' },
      ]);
    });

    it('an OCI index with two platforms and annotations', () => {
      const m = parseManifest(utf8(OCI_INDEX), OCI_INDEX_TYPE);
      expect(m).toMatchObject({
        kind: 'index',
        mediaType: OCI_INDEX_TYPE,
        annotations: { 'org.opencontainers.image.source': 'https://github.com/nginxinc/docker-nginx' },
      });
      expect(m.kind === 'index' && m.manifests).toHaveLength(2);
    });

    it('an OCI artifact with an empty config, an artifactType and a subject', () => {
      const m = parseManifest(utf8(OCI_ARTIFACT), OCI_MANIFEST_TYPE);
      expect(m).toMatchObject({
        kind: 'image',
        artifactType: 'application/spdx+json',
        config: { mediaType: 'application/vnd.oci.empty.v1+json', size: 2 },
        subject: { digest: 'sha256:a9491f4c1bf7b0cffbadcba2db8f028e4b3f2867cb59e1f3a0bc1968f3c51242' },
      });
    });

    it('an OCI manifest without mediaType when the Content-Type names it', () => {
      const m = parseManifest(utf8(OCI_MANIFEST_WITHOUT_MEDIA_TYPE), OCI_MANIFEST_TYPE);
      expect(m).toMatchObject({ kind: 'image', mediaType: OCI_MANIFEST_TYPE });
    });

    it('a manifest whose mediaType speaks for itself when there is no Content-Type', () => {
      expect(parseManifest(utf8(OCI_INDEX), undefined).mediaType).toBe(OCI_INDEX_TYPE);
    });

    it('a Content-Type that differs only in case and parameters', () => {
      const contentType = 'Application/VND.Docker.Distribution.Manifest.v2+JSON; charset=utf-8';
      expect(parseManifest(utf8(DOCKER_MANIFEST), contentType).mediaType).toBe(DOCKER_MANIFEST_TYPE);
    });

    it('an image manifest with no layers', () => {
      const bytes = edited(OCI_ARTIFACT, (d) => {
        d['layers'] = [];
      });
      expect(parseManifest(bytes, OCI_MANIFEST_TYPE)).toMatchObject({ kind: 'image', layers: [] });
    });

    it('unknown fields, which it leaves out of the result', () => {
      const bytes = edited(DOCKER_MANIFEST, (d) => {
        d['x-vendor'] = { anything: [1, 2, 3] };
      });
      expect(parseManifest(bytes, DOCKER_MANIFEST_TYPE)).not.toHaveProperty('x-vendor');
    });

    it('a body of exactly MAX_MANIFEST_BYTES', () => {
      const text = DOCKER_MANIFEST.replace(/\n}$/, `${' '.repeat(MAX_MANIFEST_BYTES - utf8(DOCKER_MANIFEST).length)}\n}`);
      expect(utf8(text).length).toBe(MAX_MANIFEST_BYTES);
      expect(parseManifest(utf8(text), DOCKER_MANIFEST_TYPE).kind).toBe('image');
    });
  });

  describe('the body', () => {
    it('rejects 4 MiB + 1 byte with SIZE_INVALID and status 413', () => {
      const bytes = new Uint8Array(MAX_MANIFEST_BYTES + 1).fill(0x20);
      const error = rejection(bytes, OCI_MANIFEST_TYPE);
      expect(error).toBeInstanceOf(ManifestTooLargeError);
      expect(error).toMatchObject({ code: 'SIZE_INVALID', status: 413 });
    });

    it('rejects bytes that are not UTF-8', () => {
      const bytes = Uint8Array.from([...utf8('{"schemaVersion":2,"x":"'), 0xc3, 0x28, ...utf8('"}')]);
      expectInvalid(bytes, OCI_MANIFEST_TYPE, /not valid UTF-8/);
    });

    it('rejects a byte order mark', () => {
      expectInvalid(utf8(`\uFEFF${DOCKER_MANIFEST}`), DOCKER_MANIFEST_TYPE, /malformed JSON/);
    });

    it('rejects malformed JSON', () => {
      expectInvalid(utf8(DOCKER_MANIFEST.slice(0, -1)), DOCKER_MANIFEST_TYPE, /malformed JSON: unexpected end/);
      expectInvalid(utf8(`${DOCKER_MANIFEST},`), DOCKER_MANIFEST_TYPE, /unexpected data after/);
    });

    it.each(['[]', '"manifest"', '2', 'null'])('rejects the non-object document %s', (text) => {
      expectInvalid(utf8(text), OCI_MANIFEST_TYPE, /must be a JSON object/);
    });

    it('rejects a duplicate top-level key', () => {
      const text = DOCKER_MANIFEST.replace('"schemaVersion": 2,', '"schemaVersion": 2, "schemaVersion": 2,');
      expectInvalid(utf8(text), DOCKER_MANIFEST_TYPE, /duplicate key "schemaVersion"/);
    });

    it('rejects a duplicate key nested in a layer descriptor and says where', () => {
      const text = DOCKER_MANIFEST.replace(
        '"size": 626,',
        '"size": 626,\n         "digest": "sha256:77ea7eee3d80b1a38f83906dd3048e2689457eb90e18a7d12f839c5ae37106a2",',
      );
      const error = rejection(utf8(text), DOCKER_MANIFEST_TYPE);
      expect(error.message).toMatch(/duplicate key "digest" at layers\[1\]/);
      expect(error.detail).toEqual({ path: 'layers[1]' });
    });

    it('rejects keys that are duplicates only once escapes are decoded', () => {
      const text = OCI_INDEX.replace('"schemaVersion": 2,', '"schemaVersion": 2, "schema\\u0056ersion": 2,');
      expectInvalid(utf8(text), OCI_INDEX_TYPE, /duplicate key "schemaVersion"/);
    });

    it('rejects a depth bomb before building it', () => {
      const bomb = `{"schemaVersion":2,"annotations":{"a":"b"},"x":${'['.repeat(100_000)}${']'.repeat(100_000)}}`;
      expectInvalid(utf8(bomb), OCI_MANIFEST_TYPE, /nesting deeper than 32 levels/);
    });
  });

  describe('the schema version', () => {
    it.each([
      ['schemaVersion 1', { schemaVersion: 1 }, DOCKER_MANIFEST_TYPE],
      ['the schema 1 media type', { mediaType: 'application/vnd.docker.distribution.manifest.v1+json' }, undefined],
      ['a signed schema 1 Content-Type', {}, 'application/vnd.docker.distribution.manifest.v1+prettyjws'],
    ])('rejects Docker schema 1 announced by %s', (_label, patch, contentType) => {
      const bytes = edited(DOCKER_MANIFEST, (d) => {
        Object.assign(d, patch);
        if (contentType !== undefined) delete d['mediaType'];
      });
      expectInvalid(bytes, contentType, /schema 1 manifests are not supported/);
    });

    it.each([3, '2', null])('rejects schemaVersion %j', (version) => {
      const bytes = edited(DOCKER_MANIFEST, (d) => {
        d['schemaVersion'] = version;
      });
      expectInvalid(bytes, DOCKER_MANIFEST_TYPE, /schemaVersion must be 2/);
    });

    it('rejects a missing schemaVersion', () => {
      const bytes = edited(OCI_INDEX, (d) => {
        delete d['schemaVersion'];
      });
      expectInvalid(bytes, OCI_INDEX_TYPE, /schemaVersion must be 2, got nothing/);
    });
  });

  describe('the media type', () => {
    it('rejects a Content-Type that differs from the body mediaType', () => {
      expectInvalid(utf8(DOCKER_MANIFEST), OCI_MANIFEST_TYPE, /Content-Type ".*oci.image.manifest.v1\+json" does not match/);
    });

    it('rejects an index pushed as an image manifest', () => {
      expectInvalid(utf8(OCI_INDEX), DOCKER_LIST_TYPE, /does not match the manifest's mediaType/);
    });

    it('rejects a body mediaType that is not a manifest type', () => {
      const bytes = edited(OCI_INDEX, (d) => {
        d['mediaType'] = 'application/vnd.oci.image.config.v1+json';
      });
      expectInvalid(bytes, undefined, /unsupported manifest media type/);
    });

    it('rejects a non-string mediaType', () => {
      const bytes = edited(OCI_INDEX, (d) => {
        d['mediaType'] = ['application/vnd.oci.image.index.v1+json'];
      });
      expectInvalid(bytes, OCI_INDEX_TYPE, /mediaType must be a string/);
    });

    it('rejects a body without mediaType when the Content-Type is not a manifest type', () => {
      expectInvalid(utf8(OCI_MANIFEST_WITHOUT_MEDIA_TYPE), 'application/json', /"application\/json" is not a manifest type/);
    });

    it('rejects a body without mediaType and a request without Content-Type', () => {
      expectInvalid(utf8(OCI_MANIFEST_WITHOUT_MEDIA_TYPE), undefined, /no mediaType and the request has no Content-Type/);
      expectInvalid(utf8(OCI_MANIFEST_WITHOUT_MEDIA_TYPE), '  ', /no Content-Type/);
    });

    it('rejects an image manifest body sent with an index Content-Type', () => {
      expectInvalid(utf8(OCI_MANIFEST_WITHOUT_MEDIA_TYPE), OCI_INDEX_TYPE, /^manifest invalid: manifests: .*as application\/vnd.oci.image.index/);
    });
  });

  describe('the document shape', () => {
    it('rejects a document with both manifests and layers as ambiguous', () => {
      const bytes = edited(OCI_INDEX, (d) => {
        d['layers'] = [];
      });
      expectInvalid(bytes, OCI_INDEX_TYPE, /ambiguous document/);
    });

    it('rejects a document with both manifests and config as ambiguous', () => {
      const bytes = edited(OCI_MANIFEST_WITHOUT_MEDIA_TYPE, (d) => {
        d['manifests'] = [];
      });
      expectInvalid(bytes, OCI_MANIFEST_TYPE, /ambiguous document/);
    });

    it('rejects an OCI image manifest without config', () => {
      const bytes = edited(OCI_ARTIFACT, (d) => {
        delete d['config'];
      });
      expectInvalid(bytes, OCI_MANIFEST_TYPE, /^manifest invalid: config: /);
    });

    it('rejects an image manifest without layers', () => {
      const bytes = edited(DOCKER_MANIFEST, (d) => {
        delete d['layers'];
      });
      expectInvalid(bytes, DOCKER_MANIFEST_TYPE, /^manifest invalid: layers: /);
    });

    it('rejects layers that are not an array', () => {
      const bytes = edited(DOCKER_MANIFEST, (d) => {
        d['layers'] = { 0: d['layers'][0] };
      });
      expectInvalid(bytes, DOCKER_MANIFEST_TYPE, /^manifest invalid: layers: /);
    });

    it('rejects a Docker manifest list entry without platform', () => {
      const bytes = edited(DOCKER_MANIFEST_LIST, (d) => {
        delete d['manifests'][1]['platform'];
      });
      expectInvalid(bytes, DOCKER_LIST_TYPE, /manifests\[1\]\.platform: /);
    });

    it('accepts an OCI index entry without platform', () => {
      const bytes = edited(OCI_INDEX, (d) => {
        delete d['manifests'][1]['platform'];
      });
      expect(parseManifest(bytes, OCI_INDEX_TYPE).kind).toBe('index');
    });

    it('rejects an artifactType that is not a media type', () => {
      const bytes = edited(OCI_ARTIFACT, (d) => {
        d['artifactType'] = 'sbom';
      });
      expectInvalid(bytes, OCI_MANIFEST_TYPE, /^manifest invalid: artifactType: must be a media type/);
    });

    it('rejects top-level annotations with a non-string value', () => {
      const bytes = edited(OCI_INDEX, (d) => {
        d['annotations']['org.opencontainers.image.revision'] = 42;
      });
      expectInvalid(bytes, OCI_INDEX_TYPE, /annotations\["org.opencontainers.image.revision"\]/);
    });
  });
});
