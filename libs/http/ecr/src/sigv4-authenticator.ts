import { verifySigV4, type CredentialLookup } from '@cargohold/auth';
import type { HttpRequest } from '@cargohold/lambda-kit';
import { AwsError } from './aws-errors';
import type { EcrApiDeps } from './ecr-api';

/** SigV4 over the exact bytes received, with AWS's error names, for service `ecr`. */
export function sigV4Authenticator(credentials: CredentialLookup): EcrApiDeps['authenticate'] {
  return async (request: HttpRequest, body: Buffer, now: Date) => {
    const result = await verifySigV4({ method: request.method, path: request.path, query: request.query, headers: request.headers, body }, credentials, {
      now,
      service: 'ecr',
    });
    if (!result.ok) throw new AwsError(result.error.name, result.error.message, result.error.status);
    return { principal: result.principal, region: result.region };
  };
}
