import { RegistryError } from '@cargohold/oci';

/** A replication configuration ECR's service checks refuse (the ECR API answers ValidationException). */
export class ReplicationValidationError extends RegistryError {
  constructor(message: string) {
    super('UNSUPPORTED', message, { status: 400 });
  }
}
