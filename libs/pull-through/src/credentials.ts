import { InvalidParameterError } from '@cargohold/registry-core';
import type { SecretStore } from '@cargohold/storage-ports';

export interface UpstreamCredentials {
  readonly username: string;
  readonly password: string;
}

/**
 * The upstream credentials a rule's secret holds, in ECR's format: a JSON object with `username` and
 * `accessToken` (https://docs.aws.amazon.com/AmazonECR/latest/userguide/pull-through-cache-creating-secret.html).
 * For another cargohold (or ECR) upstream: username `AWS` and a token from its GetAuthorizationToken.
 */
export async function readCredentials(secrets: SecretStore, arn: string | undefined): Promise<UpstreamCredentials | undefined> {
  if (arn === undefined) return undefined;
  const text = await secrets.read(arn);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    value = undefined;
  }
  const { username, accessToken } = (typeof value === 'object' && value !== null ? value : {}) as { username?: unknown; accessToken?: unknown };
  if (typeof username !== 'string' || typeof accessToken !== 'string' || username === '' || accessToken === '') {
    throw new InvalidParameterError(`The secret '${arn}' must be a JSON object with string fields 'username' and 'accessToken'`);
  }
  return { username, password: accessToken };
}
