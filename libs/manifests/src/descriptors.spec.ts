import type { Digest } from '@cargohold/oci';
import { blobReferences, childManifests, referrerDescriptor, walkDescriptors } from './descriptors';
import { parseManifest } from './parse-manifest';
import {
  DOCKER_MANIFEST,
  DOCKER_MANIFEST_LIST,
  DOCKER_MANIFEST_WITH_FOREIGN_LAYER,
  edited,
  OCI_ARTIFACT,
  OCI_INDEX,
  OCI_MANIFEST_TYPE,
  utf8,
} from './testing/example-manifests';

const parse = (text: string) => parseManifest(utf8(text), undefined);
const digests = (descriptors: { digest: Digest }[]) => descriptors.map((d) => d.digest.slice(7, 13));
const MANIFEST_DIGEST = 'sha256:1111111111111111111111111111111111111111111111111111111111111111' as Digest;

describe('blobReferences', () => {
  it('lists the config and then the layers of an image', () => {
    expect(digests(blobReferences(parse(DOCKER_MANIFEST)))).toEqual(['b79606', '77ea7e', '95cf1a']);
  });

  it('leaves out foreign layers, which clients fetch from their urls', () => {
    expect(digests(blobReferences(parse(DOCKER_MANIFEST_WITH_FOREIGN_LAYER)))).toEqual(['b79606', '95cf1a']);
  });

  it('keeps an ordinary layer even when it lists urls', () => {
    const m = parseManifest(
      edited(DOCKER_MANIFEST, (d) => {
        d['layers'][0]['urls'] = ['https://mirror.example.com/layer'];
      }),
      undefined,
    );
    expect(blobReferences(m)).toHaveLength(3);
  });

  it('includes the empty config of an artifact', () => {
    expect(blobReferences(parse(OCI_ARTIFACT))[0]).toMatchObject({ mediaType: 'application/vnd.oci.empty.v1+json' });
  });

  it('lists nothing for an index', () => {
    expect(blobReferences(parse(OCI_INDEX))).toEqual([]);
  });
});

describe('childManifests', () => {
  it('lists the entries of an index in order', () => {
    expect(digests(childManifests(parse(DOCKER_MANIFEST_LIST)))).toEqual(['586131', 'f69162']);
  });

  it('lists nothing for an image', () => {
    expect(childManifests(parse(DOCKER_MANIFEST))).toEqual([]);
  });
});

describe('walkDescriptors', () => {
  it('visits config, layers and subject of an artifact', () => {
    expect(digests(walkDescriptors(parse(OCI_ARTIFACT)))).toEqual(['44136f', '98f3ae', 'a9491f']);
  });

  it('visits the manifests and subject of an index', () => {
    const m = parseManifest(
      edited(OCI_INDEX, (d) => {
        d['subject'] = { mediaType: OCI_MANIFEST_TYPE, digest: MANIFEST_DIGEST, size: 10 };
      }),
      undefined,
    );
    expect(digests(walkDescriptors(m))).toEqual(['586131', 'f69162', '111111']);
  });

  it('includes foreign layers', () => {
    expect(walkDescriptors(parse(DOCKER_MANIFEST_WITH_FOREIGN_LAYER))).toHaveLength(3);
  });
});

describe('referrerDescriptor', () => {
  it('takes the artifactType and annotations of an artifact', () => {
    expect(referrerDescriptor(parse(OCI_ARTIFACT), MANIFEST_DIGEST, 812)).toEqual({
      mediaType: OCI_MANIFEST_TYPE,
      digest: MANIFEST_DIGEST,
      size: 812,
      artifactType: 'application/spdx+json',
      annotations: { 'org.opencontainers.image.created': '2024-05-01T10:00:00Z' },
    });
  });

  it('falls back to the config media type of an image without artifactType', () => {
    const m = parseManifest(
      edited(OCI_ARTIFACT, (d) => {
        delete d['artifactType'];
        delete d['annotations'];
        d['config']['mediaType'] = 'application/vnd.cncf.notary.signature';
      }),
      undefined,
    );
    expect(referrerDescriptor(m, MANIFEST_DIGEST, 700)).toEqual({
      mediaType: OCI_MANIFEST_TYPE,
      digest: MANIFEST_DIGEST,
      size: 700,
      artifactType: 'application/vnd.cncf.notary.signature',
    });
  });

  it('has no artifactType for an index that declares none', () => {
    const descriptor = referrerDescriptor(parse(OCI_INDEX), MANIFEST_DIGEST, 900);
    expect(descriptor).not.toHaveProperty('artifactType');
    expect(descriptor.annotations).toEqual({ 'org.opencontainers.image.source': 'https://github.com/nginxinc/docker-nginx' });
  });

  it('uses the artifactType an index declares', () => {
    const m = parseManifest(
      edited(OCI_INDEX, (d) => {
        d['artifactType'] = 'application/vnd.example.bundle';
      }),
      undefined,
    );
    expect(referrerDescriptor(m, MANIFEST_DIGEST, 900).artifactType).toBe('application/vnd.example.bundle');
  });
});
