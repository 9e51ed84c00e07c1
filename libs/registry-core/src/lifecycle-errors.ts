import { RegistryError } from '@cargohold/oci';

/** GetLifecyclePolicy, DeleteLifecyclePolicy and StartLifecyclePolicyPreview without a stored policy. */
export class LifecyclePolicyNotFoundError extends RegistryError {
  constructor(name: string, registryId: string) {
    super('NAME_UNKNOWN', `Lifecycle policy does not exist for the repository with name '${name}' in the registry with id '${registryId}'`);
  }
}

export class LifecyclePolicyPreviewNotFoundError extends RegistryError {
  constructor(name: string, registryId: string) {
    super('NAME_UNKNOWN', `Lifecycle policy preview request does not exist for the repository with name '${name}' in the registry with id '${registryId}'`);
  }
}

/**
 * A pull of an archived image. On `/v2/` it is DENIED (403), not MANIFEST_UNKNOWN: the image exists and a
 * client that reads 404 as "gone" would re-push or fall back to another source, while 403 with ECR's text
 * tells the user what to do (restore it with UpdateImageStorageClass). The ECR API answers
 * ImageArchivedException.
 */
export class ImageArchivedError extends RegistryError {
  constructor(digest: string, name: string) {
    super(
      'DENIED',
      `The image with digest '${digest}' in the repository with name '${name}' is archived; restore it with UpdateImageStorageClass before pulling it`,
      { status: 403, detail: { digest } },
    );
  }
}
