import { RegistryError } from '@cargohold/oci';

/**
 * Failures only the ECR control plane can produce. They are RegistryErrors (one base class, one
 * serializer per edge); the ECR API maps each class to its AWS exception name.
 */
export class RepositoryAlreadyExistsError extends RegistryError {
  constructor(name: string, registryId: string) {
    super('DENIED', `The repository with name '${name}' already exists in the registry with id '${registryId}'`, { status: 409 });
  }
}

export class RepositoryNotEmptyError extends RegistryError {
  constructor(name: string, registryId: string) {
    super('DENIED', `The repository with name '${name}' in registry with id '${registryId}' cannot be deleted because it still contains images`, {
      status: 409,
    });
  }
}

export class RepositoryPolicyNotFoundError extends RegistryError {
  constructor(name: string, registryId: string) {
    super('NAME_UNKNOWN', `Repository policy does not exist for the repository with name '${name}' in the registry with id '${registryId}'`);
  }
}

export class RegistryPolicyNotFoundError extends RegistryError {
  constructor(registryId: string) {
    super('NAME_UNKNOWN', `Registry policy does not exist in the registry with id '${registryId}'`);
  }
}

/** A push would move a tag that the repository's mutability setting makes immutable. */
export class ImageTagImmutableError extends RegistryError {
  constructor(tag: string, name: string) {
    super('TAG_INVALID', `The image tag '${tag}' already exists in the '${name}' repository and cannot be overwritten because the repository is immutable.`, {
      status: 400,
      detail: { tag },
    });
  }
}

/** PutImage of a manifest identical to what the tag already points at. */
export class ImageAlreadyExistsError extends RegistryError {
  constructor(digest: string, tag: string | undefined, name: string) {
    super('DENIED', `Image with digest '${digest}'${tag ? ` and tag '${tag}'` : ''} already exists in the repository with name '${name}'`, { status: 409 });
  }
}

/** An input the ECR API accepts syntactically but not semantically (InvalidParameterException). */
export class InvalidParameterError extends RegistryError {
  constructor(message: string) {
    super('UNSUPPORTED', message, { status: 400 });
  }
}

export class TemplateAlreadyExistsError extends RegistryError {
  constructor(prefix: string) {
    super('DENIED', `The repository creation template with prefix '${prefix}' already exists`, { status: 400 });
  }
}

export class TemplateNotFoundError extends RegistryError {
  constructor(prefix: string) {
    super('NAME_UNKNOWN', `The repository creation template with prefix '${prefix}' does not exist`);
  }
}

export class ExclusionAlreadyExistsError extends RegistryError {
  constructor(principalArn: string) {
    super('DENIED', `The pull time update exclusion for principal '${principalArn}' already exists`, { status: 400 });
  }
}

export class ExclusionNotFoundError extends RegistryError {
  constructor(principalArn: string) {
    super('NAME_UNKNOWN', `The pull time update exclusion for principal '${principalArn}' was not found`);
  }
}

export class LimitExceededError extends RegistryError {
  constructor(message: string) {
    super('TOOMANYREQUESTS', message);
  }
}

/** PutImage's imageDigest does not match the manifest it carries. */
export class ImageDigestMismatchError extends RegistryError {
  constructor(claimed: string, computed: string) {
    super('DIGEST_INVALID', `The image digest '${claimed}' does not match the digest '${computed}' of the image manifest`);
  }
}

export class ScanNotFoundError extends RegistryError {
  constructor(digest: string, name: string, registryId: string) {
    super(
      'NAME_UNKNOWN',
      `Image scan does not exist for the image with 'imageDigest:${digest}' in the repository with name '${name}' in the registry with id '${registryId}'`,
    );
  }
}

export class UnsupportedImageTypeError extends RegistryError {
  constructor(mediaType: string) {
    super('UNSUPPORTED', `The image is of an unsupported type for scanning: ${mediaType}`, { status: 400 });
  }
}
