import type { EcrAction } from '../action';
import { batchDeleteImage, batchGetImage, describeImages, listImageReferrers, listImages, putImage } from './image-actions';
import { batchCheckLayerAvailability, completeLayerUpload, getDownloadUrlForLayer, initiateLayerUpload, uploadLayerPart } from './layer-actions';
import {
  deleteRegistryPolicy,
  describeRegistry,
  getAccountSetting,
  getAuthorizationToken,
  getRegistryPolicy,
  putAccountSetting,
  putRegistryPolicy,
} from './registry-actions';
import {
  createRepository,
  deleteRepository,
  deleteRepositoryPolicy,
  describeRepositories,
  getRepositoryPolicy,
  putImageTagMutability,
  setRepositoryPolicy,
} from './repository-actions';
import {
  batchGetRepositoryScanningConfiguration,
  describeImageScanFindings,
  getRegistryScanningConfiguration,
  putImageScanningConfiguration,
  putRegistryScanningConfiguration,
  startImageScan,
} from './scanning-actions';
import { listTagsForResource, tagResource, untagResource } from './tag-actions';
import {
  createRepositoryCreationTemplate,
  deleteRepositoryCreationTemplate,
  describeRepositoryCreationTemplates,
  updateRepositoryCreationTemplate,
} from './template-actions';
import {
  createPullThroughCacheRule,
  deletePullThroughCacheRule,
  describePullThroughCacheRules,
  updatePullThroughCacheRule,
  validatePullThroughCacheRule,
} from './pull-through-actions';
import { deregisterPullTimeUpdateExclusion, listPullTimeUpdateExclusions, registerPullTimeUpdateExclusion } from './exclusion-actions';
import {
  deleteLifecyclePolicy,
  getLifecyclePolicy,
  getLifecyclePolicyPreview,
  putLifecyclePolicy,
  startLifecyclePolicyPreview,
  updateImageStorageClass,
} from './lifecycle-actions';
import { describeImageReplicationStatus, putReplicationConfiguration } from './replication-actions';
import { describeReplicationBackfillResults, listReplicationBackfills, startReplicationBackfill, stopReplicationBackfill } from './backfill-actions';

const ALL: EcrAction[] = [
  createRepository,
  describeRepositories,
  deleteRepository,
  putImageTagMutability,
  setRepositoryPolicy,
  getRepositoryPolicy,
  deleteRepositoryPolicy,
  tagResource,
  untagResource,
  listTagsForResource,
  listImages,
  describeImages,
  batchGetImage,
  batchDeleteImage,
  putImage,
  listImageReferrers,
  batchCheckLayerAvailability,
  initiateLayerUpload,
  uploadLayerPart,
  completeLayerUpload,
  getDownloadUrlForLayer,
  getAuthorizationToken,
  getRegistryPolicy,
  putRegistryPolicy,
  deleteRegistryPolicy,
  describeRegistry,
  getAccountSetting,
  putAccountSetting,
  putRegistryScanningConfiguration,
  getRegistryScanningConfiguration,
  batchGetRepositoryScanningConfiguration,
  putImageScanningConfiguration,
  startImageScan,
  describeImageScanFindings,
  registerPullTimeUpdateExclusion,
  deregisterPullTimeUpdateExclusion,
  listPullTimeUpdateExclusions,
  createRepositoryCreationTemplate,
  describeRepositoryCreationTemplates,
  updateRepositoryCreationTemplate,
  deleteRepositoryCreationTemplate,
  createPullThroughCacheRule,
  describePullThroughCacheRules,
  updatePullThroughCacheRule,
  deletePullThroughCacheRule,
  validatePullThroughCacheRule,
  putLifecyclePolicy,
  getLifecyclePolicy,
  deleteLifecyclePolicy,
  startLifecyclePolicyPreview,
  getLifecyclePolicyPreview,
  updateImageStorageClass,
  putReplicationConfiguration,
  describeImageReplicationStatus,
  startReplicationBackfill,
  stopReplicationBackfill,
  listReplicationBackfills,
  describeReplicationBackfillResults,
] as EcrAction[];

/** Every ECR action cargohold answers, by its X-Amz-Target operation name. */
export const ACTIONS: ReadonlyMap<string, EcrAction> = new Map(ALL.map((action) => [action.name, action]));
