import { InvalidParameterError } from '@cargohold/registry-core';
import type { SecretStore } from '@cargohold/storage-ports';
import * as z from 'zod';

export interface UpstreamCredentials {
  readonly username: string;
  readonly password: string;
}

/** AWS access keys, for an ECR-compatible upstream (ECR, another cargohold): exchanged for its 12-hour token. */
export interface AwsAccessKeys {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken?: string;
}

/** What a rule's secret holds: a username and password (token) as is, or access keys to exchange for one. */
export type UpstreamSecret =
  { readonly kind: 'password'; readonly credentials: UpstreamCredentials } | { readonly kind: 'aws-keys'; readonly keys: AwsAccessKeys };

const text = z.string().min(1);
const PasswordSecret = z.object({ username: text, accessToken: text });
const KeysSecret = z.object({ accessKeyId: text, secretAccessKey: text, sessionToken: text.optional() });

/**
 * The upstream secret a rule names. ECR's format is a JSON object with `username` and `accessToken`
 * (https://docs.aws.amazon.com/AmazonECR/latest/userguide/pull-through-cache-creating-secret.html). For
 * another cargohold (or ECR) upstream, cargohold also takes `accessKeyId`, `secretAccessKey` and an
 * optional `sessionToken`: they never expire the way a token from GetAuthorizationToken (12 hours) does,
 * and each pull exchanges them for a token on the upstream (EcrTokenSource).
 */
export async function readUpstreamSecret(secrets: SecretStore, arn: string | undefined): Promise<UpstreamSecret | undefined> {
  if (arn === undefined) return undefined;
  const raw = await secrets.read(arn);
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    value = undefined;
  }
  const keys = KeysSecret.safeParse(value);
  if (keys.success) return { kind: 'aws-keys', keys: keys.data.sessionToken === undefined ? omitSessionToken(keys.data) : keys.data };
  const password = PasswordSecret.safeParse(value);
  if (password.success) return { kind: 'password', credentials: { username: password.data.username, password: password.data.accessToken } };
  throw new InvalidParameterError(
    `The secret '${arn}' must be a JSON object with string fields 'username' and 'accessToken' (or, for an ECR-compatible upstream, 'accessKeyId' and 'secretAccessKey')`,
  );
}

function omitSessionToken({ accessKeyId, secretAccessKey }: AwsAccessKeys): AwsAccessKeys {
  return { accessKeyId, secretAccessKey };
}
