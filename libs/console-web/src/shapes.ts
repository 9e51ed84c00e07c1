/** The parts of ECR's response shapes the console reads (AWS names; times are epoch seconds). */
export interface Repository {
  readonly repositoryName: string;
  readonly repositoryUri: string;
  readonly createdAt?: number;
  readonly imageTagMutability?: string;
  readonly imageScanningConfiguration?: { readonly scanOnPush?: boolean };
}

export interface ImageDetail {
  readonly imageDigest: string;
  readonly imageTags?: readonly string[];
  readonly imageSizeInBytes?: number;
  readonly imagePushedAt?: number;
  readonly lastRecordedPullTime?: number;
  readonly imageManifestMediaType?: string;
  readonly artifactMediaType?: string;
  readonly imageScanStatus?: { readonly status?: string; readonly description?: string };
  readonly imageScanFindingsSummary?: { readonly findingSeverityCounts?: Readonly<Record<string, number>> };
}

export interface Finding {
  readonly name?: string;
  readonly description?: string;
  readonly uri?: string;
  readonly severity?: string;
  readonly attributes?: readonly { readonly key: string; readonly value?: string }[];
}

export interface ScanFindings {
  readonly imageScanStatus?: { readonly status?: string; readonly description?: string };
  readonly imageScanFindings?: {
    readonly imageScanCompletedAt?: number;
    readonly findingSeverityCounts?: Readonly<Record<string, number>>;
    readonly findings?: readonly Finding[];
  };
  readonly nextToken?: string;
}

export interface Referrer {
  readonly digest: string;
  readonly mediaType: string;
  readonly artifactType?: string;
  readonly size: number;
  readonly annotations?: Readonly<Record<string, string>>;
}

/** An OCI/Docker manifest or index, as far as the console shows it. */
export interface ManifestDocument {
  readonly mediaType?: string;
  readonly artifactType?: string;
  readonly config?: Descriptor;
  readonly layers?: readonly Descriptor[];
  readonly manifests?: readonly Descriptor[];
  readonly subject?: Descriptor;
}

export interface Descriptor {
  readonly mediaType: string;
  readonly digest: string;
  readonly size: number;
  readonly artifactType?: string;
  readonly platform?: { readonly os?: string; readonly architecture?: string; readonly variant?: string };
  readonly annotations?: Readonly<Record<string, string>>;
}

/** Every manifest kind BatchGetImage may answer with; without them ECR would convert or refuse. */
export const ACCEPTED_MEDIA_TYPES = [
  'application/vnd.oci.image.manifest.v1+json',
  'application/vnd.oci.image.index.v1+json',
  'application/vnd.docker.distribution.manifest.v2+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
  'application/vnd.docker.distribution.manifest.v1+prettyjws',
];

export const SEVERITIES = ['CRITICAL', 'HIGH', 'MEDIUM', 'LOW', 'INFORMATIONAL', 'UNDEFINED'] as const;

export interface PullThroughCacheRule {
  readonly ecrRepositoryPrefix: string;
  readonly upstreamRegistryUrl: string;
  readonly upstreamRegistry?: string;
  readonly upstreamRepositoryPrefix?: string;
  readonly credentialArn?: string;
  readonly customRoleArn?: string;
  readonly createdAt?: number;
  readonly updatedAt?: number;
}

export interface LifecyclePreviewResult {
  readonly imageDigest: string;
  readonly imageTags?: readonly string[];
  readonly imagePushedAt?: number;
  readonly action?: { readonly type?: string; readonly targetStorageClass?: string };
  readonly appliedRulePriority?: number;
}

export interface LifecyclePreview {
  readonly status?: string;
  readonly previewResults?: readonly LifecyclePreviewResult[];
  readonly summary?: { readonly expiringImageTotalCount?: number };
  readonly nextToken?: string;
}

export interface ReplicationStatus {
  readonly region?: string;
  readonly registryId?: string;
  readonly status?: string;
  readonly failureCode?: string;
}
