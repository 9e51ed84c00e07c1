import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { defaultIdentityConfig, IdentityDirectory, MIN_TOKEN_KEY_BYTES } from '@cargohold/auth';
import { createAuthToken } from '@cargohold/http-token';
import { sigV4Authenticator, type EcrApiDeps } from '@cargohold/http-ecr';
import type { Authorizer } from '@cargohold/auth';
import type { UploadCapabilityIssuer } from '@cargohold/http-distribution';
import { parsePolicy, systemClock } from '@cargohold/registry-core';
import type { RegistryStorage } from '@cargohold/storage-ports';
import type { ConfigFile } from './config';

/**
 * The token-signing key: from the configured file, else `<data-dir>/token.key`, generated once
 * (mode 0600) so tokens survive restarts.
 */
export function loadTokenKey(config: ConfigFile, dataDir: string): Buffer {
  const file = config.tokenKeyFile ?? join(dataDir, 'token.key');
  try {
    const key = readFileSync(file);
    if (key.length < MIN_TOKEN_KEY_BYTES) throw new Error(`token key ${file} is shorter than ${MIN_TOKEN_KEY_BYTES} bytes`);
    return key;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT' || config.tokenKeyFile !== undefined) throw error;
    mkdirSync(dirname(file), { recursive: true });
    const key = randomBytes(32);
    writeFileSync(file, key, { mode: 0o600, flag: 'wx' });
    return key;
  }
}

export interface AuthDeps {
  readonly authorizer: Authorizer;
  /** Signs the capability an upload gateway's Location carries. */
  readonly uploadCapability: UploadCapabilityIssuer;
  readonly ecr: Pick<EcrApiDeps, 'authenticate' | 'authorize' | 'services' | 'pageTokenKey'>;
}

export interface AuthOptions {
  readonly allowAnonymous: boolean;
  /** Upload capabilities expire with an idle session. */
  readonly uploadIdleTimeoutMs: number;
}

/** IAM-lite identities, SigV4 and the auth-token service, wired over the embedded storage. */
export function createAuth(config: ConfigFile, storage: RegistryStorage, tokenKey: Buffer, options: AuthOptions): AuthDeps {
  const directory = new IdentityDirectory(config.identities ?? defaultIdentityConfig());
  const tokens = createAuthToken({
    tokenKey,
    repositories: storage.repositories,
    registries: storage.registries,
    identityPolicies: (arn) => directory.identityPolicies(arn),
    clock: systemClock,
    allowAnonymous: options.allowAnonymous,
    uploadCapabilityTtlMs: options.uploadIdleTimeoutMs,
  });
  return {
    authorizer: tokens.authorizer,
    uploadCapability: tokens.uploadCapability,
    ecr: {
      authenticate: sigV4Authenticator(directory.credentialLookup),
      authorize: (checks) => tokens.access.decideEach(checks),
      pageTokenKey: tokenKey,
      services: {
        issueToken: tokens.issue,
        downloadUrl: tokens.downloadUrl,
        validatePolicy: (text) => void parsePolicy(text, 'resource'),
      },
    },
  };
}
