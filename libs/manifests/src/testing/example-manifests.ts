/**
 * Hand-written manifests shaped like what docker, buildx and oras push, kept as exact text because the
 * parser works on bytes. Used by this lib's specs only; not exported from the package.
 */
export const DOCKER_MANIFEST = `{
   "schemaVersion": 2,
   "mediaType": "application/vnd.docker.distribution.manifest.v2+json",
   "config": {
      "mediaType": "application/vnd.docker.container.image.v1+json",
      "size": 1472,
      "digest": "sha256:b79606fb3afea5bd1609ed40b622142f1c98125abcfe89a76a661b0e8e343910"
   },
   "layers": [
      {
         "mediaType": "application/vnd.docker.image.rootfs.diff.tar.gzip",
         "size": 3408729,
         "digest": "sha256:77ea7eee3d80b1a38f83906dd3048e2689457eb90e18a7d12f839c5ae37106a2"
      },
      {
         "mediaType": "application/vnd.docker.image.rootfs.diff.tar.gzip",
         "size": 626,
         "digest": "sha256:95cf1a2e1698fe3ca1fcc3f653119146b271d0b62e487ec264441e886a11bd06"
      }
   ]
}`;

/** A Windows image: the base layer is foreign and fetched from Microsoft's registry. */
export const DOCKER_MANIFEST_WITH_FOREIGN_LAYER = `{
   "schemaVersion": 2,
   "mediaType": "application/vnd.docker.distribution.manifest.v2+json",
   "config": {
      "mediaType": "application/vnd.docker.container.image.v1+json",
      "size": 2911,
      "digest": "sha256:b79606fb3afea5bd1609ed40b622142f1c98125abcfe89a76a661b0e8e343910"
   },
   "layers": [
      {
         "mediaType": "application/vnd.docker.image.rootfs.foreign.diff.tar",
         "size": 1654455014,
         "digest": "sha256:656771905e1ef731f65cd0a0d9fb061238380a1a012e6abdf846ecc7d2ea36fd",
         "urls": ["https://mcr.microsoft.com/v2/windows/servercore/blobs/sha256:656771905e1ef731f65cd0a0d9fb061238380a1a012e6abdf846ecc7d2ea36fd"]
      },
      {
         "mediaType": "application/vnd.docker.image.rootfs.diff.tar.gzip",
         "size": 1170,
         "digest": "sha256:95cf1a2e1698fe3ca1fcc3f653119146b271d0b62e487ec264441e886a11bd06"
      }
   ]
}`;

export const DOCKER_MANIFEST_LIST = `{
   "schemaVersion": 2,
   "mediaType": "application/vnd.docker.distribution.manifest.list.v2+json",
   "manifests": [
      {
         "mediaType": "application/vnd.docker.distribution.manifest.v2+json",
         "size": 527,
         "digest": "sha256:5861314d7fccb39c2192173240eab44fa35ca66426201ca2acd0630a6258dd51",
         "platform": { "architecture": "amd64", "os": "linux" }
      },
      {
         "mediaType": "application/vnd.docker.distribution.manifest.v2+json",
         "size": 527,
         "digest": "sha256:f69162950f235e3cdbbad33f1f912d1a504be90d8a37d002c735d6f3e3882265",
         "platform": { "architecture": "arm64", "os": "linux", "variant": "v8" }
      }
   ]
}`;

/** What buildx pushes without a mediaType field: the Content-Type has to say what it is. */
export const OCI_MANIFEST_WITHOUT_MEDIA_TYPE = `{"schemaVersion":2,"config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"sha256:6d63b5e89a0632b9f5411f064b3e0360471f643a16eb82b4641ece6e8cf2caa3","size":1621},"layers":[{"mediaType":"application/vnd.oci.image.layer.v1.tar+gzip","digest":"sha256:10dacdccfe877dc064d57442e6fa7a4e3085dc94e11a29819c2290fc3d788724","size":29124181}],"annotations":{"org.opencontainers.image.created":"2024-05-01T10:00:00Z"}}`;

export const OCI_INDEX = `{
  "schemaVersion": 2,
  "mediaType": "application/vnd.oci.image.index.v1+json",
  "manifests": [
    {
      "mediaType": "application/vnd.oci.image.manifest.v1+json",
      "digest": "sha256:5861314d7fccb39c2192173240eab44fa35ca66426201ca2acd0630a6258dd51",
      "size": 1017,
      "platform": { "architecture": "amd64", "os": "linux" }
    },
    {
      "mediaType": "application/vnd.oci.image.manifest.v1+json",
      "digest": "sha256:f69162950f235e3cdbbad33f1f912d1a504be90d8a37d002c735d6f3e3882265",
      "size": 1017,
      "platform": { "architecture": "arm64", "os": "linux", "variant": "v8" },
      "annotations": { "org.opencontainers.image.ref.name": "1.25-alpine" }
    }
  ],
  "annotations": { "org.opencontainers.image.source": "https://github.com/nginxinc/docker-nginx" }
}`;

/** An SBOM attached by `oras attach`: no config of its own, and a subject pointing at the image. */
export const OCI_ARTIFACT = `{
  "schemaVersion": 2,
  "mediaType": "application/vnd.oci.image.manifest.v1+json",
  "artifactType": "application/spdx+json",
  "config": {
    "mediaType": "application/vnd.oci.empty.v1+json",
    "digest": "sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a",
    "size": 2,
    "data": "e30="
  },
  "layers": [
    {
      "mediaType": "application/spdx+json",
      "digest": "sha256:98f3ae1ef67113d8140d4f6cb8d2830070e21ea48f091be519659846c771a374",
      "size": 18392,
      "annotations": { "org.opencontainers.image.title": "sbom.spdx.json" }
    }
  ],
  "subject": {
    "mediaType": "application/vnd.oci.image.manifest.v1+json",
    "digest": "sha256:a9491f4c1bf7b0cffbadcba2db8f028e4b3f2867cb59e1f3a0bc1968f3c51242",
    "size": 1017
  },
  "annotations": { "org.opencontainers.image.created": "2024-05-01T10:00:00Z" }
}`;

export const DOCKER_MANIFEST_TYPE = 'application/vnd.docker.distribution.manifest.v2+json';
export const DOCKER_LIST_TYPE = 'application/vnd.docker.distribution.manifest.list.v2+json';
export const OCI_MANIFEST_TYPE = 'application/vnd.oci.image.manifest.v1+json';
export const OCI_INDEX_TYPE = 'application/vnd.oci.image.index.v1+json';

export const utf8 = (text: string): Uint8Array => new TextEncoder().encode(text);

// Specs reach into fixtures to break one field at a time; typing every path would hide what they break.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type EditableDocument = Record<string, any>;

/** Parses a fixture, applies `edit` to the plain object, and re-serializes it. */
export function edited(text: string, edit: (document: EditableDocument) => void): Uint8Array {
  const document = JSON.parse(text) as EditableDocument;
  edit(document);
  return utf8(JSON.stringify(document));
}
