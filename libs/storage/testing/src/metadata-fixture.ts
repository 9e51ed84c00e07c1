import { digestOf, type Digest } from '@cargohold/oci';
import type {
  BlobLinkStore,
  ManifestPutOptions,
  ManifestRecord,
  ManifestStore,
  RegistrySettingsStore,
  RepoRef,
  RepositoryStore,
  UploadSessionStore,
} from '@cargohold/storage-ports';

/** A fresh, empty metadata store for one test. */
export interface MetadataFixture {
  readonly repositories: RepositoryStore;
  readonly manifests: ManifestStore;
  readonly links: BlobLinkStore;
  readonly sessions: UploadSessionStore;
  readonly registries: RegistrySettingsStore;
  cleanup(): Promise<void>;
}

export type MakeMetadata = () => Promise<MetadataFixture>;

export const REGISTRY = '000000000000:us-east-1';
export const OTHER_REGISTRY = '111111111111:eu-west-1';
export const repoRef = (name: string, registry = REGISTRY): RepoRef => ({ registry, name });

/** A stable, distinct digest per label. */
export const digestFor = (label: string): Digest => digestOf(Buffer.from(label));

export const T0 = new Date('2025-01-01T00:00:00.000Z');
export const at = (seconds: number): Date => new Date(T0.getTime() + seconds * 1000);

export const IMAGE_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
export const IMAGE_INDEX = 'application/vnd.oci.image.index.v1+json';

export function manifestRecord(label: string, extra: Partial<ManifestRecord> = {}): ManifestRecord {
  return {
    digest: digestFor(label),
    mediaType: IMAGE_MANIFEST,
    size: 100 + label.length,
    blobs: [digestFor(`${label}/config`), digestFor(`${label}/layer`)],
    children: [],
    imageSizeBytes: 1000 + label.length,
    pushedAt: T0,
    ...extra,
  };
}

/** Links every blob of the record in the repository, then puts it: what a push does (closure first). */
export async function putLinked(
  { links, manifests }: Pick<MetadataFixture, 'links' | 'manifests'>,
  repo: RepoRef,
  record: ManifestRecord,
  tags: readonly string[],
  options?: ManifestPutOptions,
): Promise<{ previous: Record<string, Digest> }> {
  for (const blob of record.blobs) await links.link(repo, blob, 1, T0);
  return manifests.put(repo, record, tags, [], options);
}

export function indexRecord(label: string, children: readonly ManifestRecord[]): ManifestRecord {
  return manifestRecord(label, { mediaType: IMAGE_INDEX, blobs: [], children: children.map((c) => c.digest) });
}

/**
 * A policy document as a user might send it: odd indentation, CRLF, tabs, trailing spaces, escaped and
 * literal non-ASCII (including U+2028 and an astral emoji). Stores must give back exactly these bytes.
 */
export const POLICY_TEXT =
  '{\r\n\t"Version" :"2012-10-17",  \n  "Statement":[{"Sid":"caf\\u00e9 ☕ 🐳","Effect":"Allow",' +
  '"Principal":"*","Action":["ecr:BatchGetImage"]}]\u2028}\n\n  ';
