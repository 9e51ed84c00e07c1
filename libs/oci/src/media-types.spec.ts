import { digestOf } from './digest';
import { EMPTY_DESCRIPTOR, EMPTY_JSON_BYTES, essenceOf, isForeignLayerMediaType, isMediaType, isManifestMediaType, MediaTypes } from './media-types';

describe('EMPTY_DESCRIPTOR', () => {
  it('describes the two bytes {}', () => {
    expect(new TextDecoder().decode(EMPTY_JSON_BYTES)).toBe('{}');
    expect(EMPTY_DESCRIPTOR.size).toBe(EMPTY_JSON_BYTES.length);
    expect(EMPTY_DESCRIPTOR.digest).toBe(digestOf(EMPTY_JSON_BYTES));
  });
});

describe('isManifestMediaType', () => {
  it('accepts the OCI and Docker schema 2 manifest and index types', () => {
    for (const type of [MediaTypes.ociManifest, MediaTypes.ociIndex, MediaTypes.dockerManifest, MediaTypes.dockerManifestList]) {
      expect(isManifestMediaType(type)).toBe(true);
    }
  });

  it('rejects schema 1 and non-manifest types', () => {
    expect(isManifestMediaType(MediaTypes.dockerSchema1SignedManifest)).toBe(false);
    expect(isManifestMediaType(MediaTypes.ociConfig)).toBe(false);
  });
});

describe('isForeignLayerMediaType', () => {
  it('matches Docker foreign and OCI non-distributable layer types and nothing else', () => {
    expect(isForeignLayerMediaType(MediaTypes.dockerForeignLayer)).toBe(true);
    expect(isForeignLayerMediaType(MediaTypes.dockerForeignLayerGzip)).toBe(true);
    expect(isForeignLayerMediaType(MediaTypes.ociNondistributableLayerZstd)).toBe(true);
    expect(isForeignLayerMediaType(MediaTypes.dockerLayerGzip)).toBe(false);
    expect(isForeignLayerMediaType(MediaTypes.ociLayerGzip)).toBe(false);
  });
});

describe('isMediaType', () => {
  it.each(['application/vnd.oci.image.manifest.v1+json', 'text/plain', 'application/x-tar'])('accepts %s', (t) => {
    expect(isMediaType(t)).toBe(true);
  });

  it.each(['', 'application', 'application/', '/json', 'text/plain; charset=utf-8', 'a/b/c', 'text/ plain'])('rejects %j', (t) => {
    expect(isMediaType(t)).toBe(false);
  });
});

describe('essenceOf', () => {
  it('drops parameters and lowercases', () => {
    expect(essenceOf(' Application/VND.OCI.Image.Manifest.v1+JSON ; charset=utf-8')).toBe(MediaTypes.ociManifest);
  });
});
