/**
 * ECR lifecycle policy model. Field names follow the policy JSON ECR accepts (camelCase); the
 * decision side uses the API's upper-case enums (`EXPIRE`, `ARCHIVE`) as the preview and the
 * `ECR Image Action` event report them.
 */
export type LifecycleStorageClass = 'STANDARD' | 'ARCHIVE';

export type TagStatus = 'tagged' | 'untagged' | 'any';
export type CountType = 'imageCountMoreThan' | 'sinceImagePushed' | 'sinceImagePulled' | 'sinceImageTransitioned';

export interface LifecycleSelection {
  tagStatus: TagStatus;
  tagPrefixList?: string[];
  tagPatternList?: string[];
  /** Which images the rule looks at: STANDARD (the default) or ARCHIVE. */
  storageClass?: LifecycleStorageClass;
  countType: CountType;
  countUnit?: 'days';
  countNumber: number;
}

export interface LifecycleAction {
  type: 'expire' | 'transition';
  targetStorageClass?: 'archive';
}

export interface LifecycleRule {
  rulePriority: number;
  description?: string;
  selection: LifecycleSelection;
  action: LifecycleAction;
}

export interface LifecyclePolicy {
  /** Sorted by rulePriority, lowest (evaluated first) first. */
  readonly rules: readonly LifecycleRule[];
}

export interface LifecycleImage {
  readonly digest: string;
  readonly tags: readonly string[];
  readonly pushedAt: Date;
  readonly lastPulledAt?: Date;
  readonly lastArchivedAt?: Date;
  /** When the image was last restored from archive (ECR's lastActivatedAt). */
  readonly lastActivatedAt?: Date;
  readonly storageClass: LifecycleStorageClass;
  /** Digests this image (a manifest list / index) references. */
  readonly children: readonly string[];
  /** The digest this image refers to (an OCI referrer: signature, SBOM, attestation). */
  readonly subject?: string;
}

export interface LifecycleDecision {
  readonly digest: string;
  readonly action: 'EXPIRE' | 'TRANSITION';
  readonly targetStorageClass?: 'ARCHIVE';
  readonly rulePriority: number;
}
