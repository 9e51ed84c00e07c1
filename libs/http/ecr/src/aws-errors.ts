import { RegistryError } from '@cargohold/oci';
import { accessDeniedMessage, type Denial } from '@cargohold/registry-core';

/** An error in AWS's shape: the exception name clients switch on, a message, an HTTP status. */
export class AwsError extends Error {
  constructor(
    readonly awsName: string,
    message: string,
    readonly status = 400,
  ) {
    super(message);
    this.name = awsName;
  }
}

/**
 * The one table from domain errors to ECR exception names. Keys are RegistryError class names; an
 * action may override a class where ECR names the same failure differently (e.g. a digest mismatch is
 * InvalidLayerException in CompleteLayerUpload but ImageDigestDoesNotMatchException in PutImage).
 */
const BY_CLASS: Record<string, string> = {
  NameUnknownError: 'RepositoryNotFoundException',
  NameInvalidError: 'InvalidParameterException',
  TagInvalidError: 'InvalidParameterException',
  DigestInvalidError: 'InvalidParameterException',
  RepositoryAlreadyExistsError: 'RepositoryAlreadyExistsException',
  RepositoryNotEmptyError: 'RepositoryNotEmptyException',
  RepositoryPolicyNotFoundError: 'RepositoryPolicyNotFoundException',
  RegistryPolicyNotFoundError: 'RegistryPolicyNotFoundException',
  ManifestUnknownError: 'ImageNotFoundException',
  ManifestInvalidError: 'InvalidParameterException',
  ManifestTooLargeError: 'InvalidParameterException',
  ManifestBlobUnknownError: 'LayersNotFoundException',
  ImageTagImmutableError: 'ImageTagAlreadyExistsException',
  ImageAlreadyExistsError: 'ImageAlreadyExistsException',
  ImageDigestMismatchError: 'ImageDigestDoesNotMatchException',
  InvalidParameterError: 'InvalidParameterException',
  LimitExceededError: 'LimitExceededException',
  BlobUnknownError: 'LayersNotFoundException',
  UploadUnknownError: 'UploadNotFoundException',
  UploadOffsetMismatchError: 'InvalidLayerPartException',
  UploadInvalidError: 'InvalidLayerPartException',
  DigestMismatchError: 'InvalidLayerException',
  SizeLimitError: 'InvalidParameterException',
  SizeMismatchError: 'InvalidLayerPartException',
  PaginationInvalidError: 'InvalidParameterException',
  RangeNotSatisfiableError: 'InvalidParameterException',
  ManifestReferencedError: 'ImageReferencedByManifestListException',
  ScanNotFoundError: 'ScanNotFoundException',
  UnsupportedImageTypeError: 'UnsupportedImageTypeException',
  ExclusionAlreadyExistsError: 'ExclusionAlreadyExistsException',
  TemplateAlreadyExistsError: 'TemplateAlreadyExistsException',
  TemplateNotFoundError: 'TemplateNotFoundException',
  ExclusionNotFoundError: 'ExclusionNotFoundException',
  PullThroughCacheRuleAlreadyExistsError: 'PullThroughCacheRuleAlreadyExistsException',
  PullThroughCacheRuleNotFoundError: 'PullThroughCacheRuleNotFoundException',
  UnsupportedUpstreamRegistryError: 'UnsupportedUpstreamRegistryException',
  SecretNotFoundError: 'SecretNotFoundException',
  SecretAccessError: 'UnableToAccessSecretException',
  SecretDecryptError: 'UnableToDecryptSecretValueException',
  LifecyclePolicyNotFoundError: 'LifecyclePolicyNotFoundException',
  LifecyclePolicyPreviewNotFoundError: 'LifecyclePolicyPreviewNotFoundException',
  ImageArchivedError: 'ImageArchivedException',
  ReplicationValidationError: 'ValidationException',
  // DynamoDB still throttling after the SDK's retries: the name every AWS SDK backs off and retries on.
  MetadataThrottledError: 'ThrottlingException',
};

export type ErrorOverrides = Readonly<Record<string, string>>;

/** `registryId`: the registry the request addressed, which ECR names in RepositoryNotFoundException. */
export function toAwsError(error: unknown, overrides: ErrorOverrides = {}, registryId?: string): AwsError | undefined {
  if (error instanceof AwsError) return error;
  if (error instanceof RegistryError) {
    const name = overrides[error.name] ?? BY_CLASS[error.name];
    if (name === undefined && error.code === 'UNAVAILABLE') return new AwsError('ServerException', error.message, 503);
    // Storage throttling (the metadata table, still busy after the SDK's retries): a name every AWS SDK retries.
    if (name === undefined && error.code === 'TOOMANYREQUESTS') return new AwsError('ThrottlingException', error.message, 400);
    const named = name ?? 'InvalidParameterException';
    return new AwsError(named, ecrMessage(error, named, registryId), 400);
  }
  return undefined;
}

/** Where the core's text (worded for /v2/ clients) differs from ECR's, ECR's. */
function ecrMessage(error: RegistryError, awsName: string, registryId: string | undefined): string {
  const name = (error.detail as { name?: unknown } | undefined)?.name;
  if (awsName === 'RepositoryNotFoundException' && registryId !== undefined && typeof name === 'string') {
    return `The repository with name '${name}' does not exist in the registry with id '${registryId}'`;
  }
  return error.message;
}

/** AccessDeniedException worded as IAM words it: which kind of policy denied, or lacked an Allow. */
export const accessDenied = (principalArn: string, action: string, resource: string, denial: Denial) =>
  new AwsError('AccessDeniedException', accessDeniedMessage(principalArn, action, resource, denial), 400);

export const invalidParameter = (message: string) => new AwsError('InvalidParameterException', message);
