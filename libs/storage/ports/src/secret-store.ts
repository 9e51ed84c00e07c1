import { RegistryError } from '@cargohold/oci';

/**
 * Secrets cargohold reads but never writes: the upstream credentials of pull-through cache rules, named
 * by Secrets Manager ARN (`arn:aws:secretsmanager:<region>:<account>:secret:ecr-pullthroughcache/<name>`).
 *
 * Contract: `read` answers the secret's current string value, or throws SecretNotFoundError (no such
 * secret), SecretAccessError (it exists but this deployment may not read it) or SecretDecryptError (it
 * could not be decrypted). Reads have no side effects; callers may cache a value briefly.
 */
export interface SecretStore {
  read(arn: string): Promise<string>;
}

export class SecretNotFoundError extends RegistryError {
  constructor(arn: string) {
    super('NAME_UNKNOWN', `The specified secret '${arn}' could not be found`, { status: 400 });
  }
}

export class SecretAccessError extends RegistryError {
  constructor(arn: string, reason: string) {
    super('DENIED', `The secret '${arn}' is unable to be accessed: ${reason}`, { status: 400 });
  }
}

export class SecretDecryptError extends RegistryError {
  constructor(arn: string, reason: string) {
    super('DENIED', `The secret '${arn}' is accessible but is unable to be decrypted: ${reason}`, { status: 400 });
  }
}

/** A deployment without secrets: every ARN is unknown. */
export const NO_SECRETS: SecretStore = {
  read: async (arn) => {
    throw new SecretNotFoundError(arn);
  },
};
