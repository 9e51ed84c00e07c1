import { ManifestInvalidError } from './errors';
import { parseManifest } from './parse-manifest';
import {
  DOCKER_MANIFEST,
  DOCKER_MANIFEST_LIST,
  DOCKER_MANIFEST_TYPE,
  DOCKER_MANIFEST_WITH_FOREIGN_LAYER,
  edited,
  type EditableDocument,
  OCI_ARTIFACT,
  OCI_INDEX,
  OCI_MANIFEST_TYPE,
  utf8,
} from './testing/example-manifests';

const SHA256_HEX = '77ea7eee3d80b1a38f83906dd3048e2689457eb90e18a7d12f839c5ae37106a2';

/** Breaks the second layer of the Docker fixture and returns the rejection message. */
function rejectLayer(edit: (layer: EditableDocument) => void): string {
  const bytes = edited(DOCKER_MANIFEST, (d) => edit(d['layers'][1]));
  try {
    parseManifest(bytes, DOCKER_MANIFEST_TYPE);
  } catch (error) {
    expect(error).toBeInstanceOf(ManifestInvalidError);
    return (error as Error).message;
  }
  throw new Error('expected parseManifest to throw');
}

describe('parseManifest', () => {
  describe('descriptors', () => {
    it.each([
      ['uppercase hex', `sha256:${SHA256_HEX.toUpperCase()}`],
      ['a short sha256', `sha256:${SHA256_HEX.slice(2)}`],
      ['md5', 'md5:d41d8cd98f00b204e9800998ecf8427e'],
      ['an empty string', ''],
      ['an algorithm alone', 'sha256:'],
    ])('reject a digest with %s', (_label, digest) => {
      expect(rejectLayer((l) => (l['digest'] = digest))).toMatch(/^manifest invalid: layers\[1\]\.digest: invalid digest/);
    });

    it('accept a sha512 digest', () => {
      const bytes = edited(DOCKER_MANIFEST, (d) => {
        d['layers'][1]['digest'] = `sha512:${SHA256_HEX}${SHA256_HEX}`;
      });
      expect(() => parseManifest(bytes, DOCKER_MANIFEST_TYPE)).not.toThrow();
    });

    it('reject a missing digest', () => {
      expect(rejectLayer((l) => delete l['digest'])).toMatch(/layers\[1\]\.digest: /);
    });

    it.each([
      ['negative', -1],
      ['fractional', 1.5],
      ['beyond the safe integer range', 2 ** 53],
      ['a string', '626'],
    ])('reject a size that is %s', (_label, size) => {
      expect(rejectLayer((l) => (l['size'] = size))).toMatch(/layers\[1\]\.size: /);
    });

    it('accept a zero size', () => {
      const bytes = edited(DOCKER_MANIFEST, (d) => {
        d['layers'][1]['size'] = 0;
      });
      expect(parseManifest(bytes, DOCKER_MANIFEST_TYPE)).toMatchObject({ layers: [{}, { size: 0 }] });
    });

    it.each([
      ['without a subtype', 'application'],
      ['with parameters', 'application/vnd.oci.image.layer.v1.tar+gzip; q=1'],
      ['with a space', 'application/ tar'],
      ['that is empty', ''],
    ])('reject a media type %s', (_label, mediaType) => {
      expect(rejectLayer((l) => (l['mediaType'] = mediaType))).toMatch(/layers\[1\]\.mediaType: must be a media type/);
    });

    it('reject a media type that is not a string', () => {
      expect(rejectLayer((l) => (l['mediaType'] = 7))).toMatch(/layers\[1\]\.mediaType: /);
    });

    it('reject urls that are not an array of strings', () => {
      expect(rejectLayer((l) => (l['urls'] = 'https://example.com/layer'))).toMatch(/layers\[1\]\.urls: /);
      expect(rejectLayer((l) => (l['urls'] = [42]))).toMatch(/layers\[1\]\.urls\[0\]: /);
    });

    it('reject annotations that are not a string-to-string map', () => {
      expect(rejectLayer((l) => (l['annotations'] = ['a']))).toMatch(/layers\[1\]\.annotations: /);
      expect(rejectLayer((l) => (l['annotations'] = { 'org.example.n': 1 }))).toMatch(/layers\[1\]\.annotations\["org.example.n"\]: /);
    });

    it('reject a "__proto__" annotation, which the parsed map could not keep', () => {
      const text = DOCKER_MANIFEST_WITH_FOREIGN_LAYER.replace('"urls": [', '"annotations": { "__proto__": "x" },\n         "urls": [');
      expect(() => parseManifest(utf8(text), DOCKER_MANIFEST_TYPE)).toThrow(/layers\[0\]\.annotations: the key "__proto__" is not allowed/);
    });

    it('reject a descriptor artifactType that is not a media type', () => {
      expect(rejectLayer((l) => (l['artifactType'] = 'not a type'))).toMatch(/layers\[1\]\.artifactType: /);
    });

    it('reject a descriptor that is not an object', () => {
      const bytes = edited(DOCKER_MANIFEST, (d) => {
        d['config'] = 'sha256:b79606fb3afea5bd1609ed40b622142f1c98125abcfe89a76a661b0e8e343910';
      });
      expect(() => parseManifest(bytes, DOCKER_MANIFEST_TYPE)).toThrow(/^manifest invalid: config: /);
    });

    it('reject an invalid subject', () => {
      const bytes = edited(OCI_ARTIFACT, (d) => {
        d['subject']['digest'] = 'sha256:not-hex';
      });
      expect(() => parseManifest(bytes, OCI_MANIFEST_TYPE)).toThrow(/^manifest invalid: subject\.digest: /);
    });

    it('reject an index entry with an invalid digest', () => {
      const bytes = edited(OCI_INDEX, (d) => {
        d['manifests'][0]['digest'] = 'sha1:da39a3ee5e6b4b0d3255bfef95601890afd80709';
      });
      expect(() => parseManifest(bytes, undefined)).toThrow(/^manifest invalid: manifests\[0\]\.digest: /);
    });

    it('reject a platform without os or architecture', () => {
      const bytes = edited(DOCKER_MANIFEST_LIST, (d) => {
        delete d['manifests'][0]['platform']['os'];
      });
      expect(() => parseManifest(bytes, undefined)).toThrow(/manifests\[0\]\.platform\.os: /);
    });

    it('keep every platform field', () => {
      const platform = {
        architecture: 'amd64',
        os: 'windows',
        'os.version': '10.0.20348.2113',
        'os.features': ['win32k'],
        variant: 'v3',
        features: ['sse4'],
      };
      const bytes = edited(OCI_INDEX, (d) => {
        d['manifests'][0]['platform'] = platform;
      });
      const m = parseManifest(bytes, undefined);
      expect(m.kind === 'index' && m.manifests[0]?.platform).toEqual(platform);
    });
  });

  describe('foreign layers', () => {
    it('accept a Docker foreign layer that lists its urls', () => {
      const m = parseManifest(utf8(DOCKER_MANIFEST_WITH_FOREIGN_LAYER), DOCKER_MANIFEST_TYPE);
      expect(m.kind === 'image' && m.layers[0]?.urls).toHaveLength(1);
    });

    it('reject a foreign layer without urls', () => {
      const bytes = edited(DOCKER_MANIFEST_WITH_FOREIGN_LAYER, (d) => {
        d['layers'][0]['urls'] = [];
      });
      expect(() => parseManifest(bytes, DOCKER_MANIFEST_TYPE)).toThrow(/layers\[0\]\.urls: a foreign or non-distributable layer must list the urls/);
    });
  });
});
