import { RegistryError } from '@cargohold/oci';

/*
 * Failures of the pull-through cache. The ECR API maps each class by name to ECR's exception
 * (PullThroughCacheRuleNotFoundError → PullThroughCacheRuleNotFoundException, …); on `/v2/` they are
 * OCI errors like any other.
 */

export class PullThroughCacheRuleAlreadyExistsError extends RegistryError {
  constructor(prefix: string, registryId: string) {
    super('DENIED', `A pull through cache rule with the ecrRepositoryPrefix '${prefix}' already exists in the registry with id '${registryId}'`, {
      status: 400,
    });
  }
}

export class PullThroughCacheRuleNotFoundError extends RegistryError {
  constructor(prefix: string, registryId: string) {
    super('NAME_UNKNOWN', `The pull through cache rule with the ecrRepositoryPrefix '${prefix}' does not exist in the registry with id '${registryId}'`);
  }
}

export class UnsupportedUpstreamRegistryError extends RegistryError {
  constructor(message: string) {
    super('UNSUPPORTED', message, { status: 400 });
  }
}

/**
 * The upstream failed a pull-through (unreachable, refused our credentials, served bytes that do not
 * match their digest): nothing was cached. 502-like, but OCI has no such code: UNAVAILABLE (503) is
 * what clients retry, and the detail says why.
 */
export class UpstreamPullError extends RegistryError {
  constructor(reference: string, kind: string, reason: string) {
    super('UNAVAILABLE', `pull through cache could not fetch ${reference} from the upstream registry (${kind}): ${reason}`, {
      detail: { reference, upstream: kind },
    });
  }
}

/** The puller may read the repository but not import into it (ecr:BatchImportUpstreamImage, ecr:CreateRepository). */
export class ImportDeniedError extends RegistryError {
  constructor(name: string, missing: readonly string[]) {
    super('DENIED', `pulling ${name} through the cache needs ${missing.join(' and ')} on the repository`);
  }
}
