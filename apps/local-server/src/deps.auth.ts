import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import {
  AllowAllAuthorizer,
  defaultIdentityConfig,
  IdentityDirectory,
  issueToken,
  MIN_TOKEN_KEY_BYTES,
  verifySigV4,
  type Authorizer,
  type Principal,
} from '@cargohold/auth';
import { AwsError, type ActionServices, type EcrApiDeps } from '@cargohold/ecr-api';
import type { HttpRequest } from '@cargohold/lambda-kit';
import { AccessService, parsePolicy, systemClock, TokenAuthorizer } from '@cargohold/registry-core';
import type { RegistryStorage } from '@cargohold/storage-ports';
import type { ConfigFile } from './config';

/** Download URLs from GetDownloadUrlForLayer carry a short-lived token instead of a header. */
const DOWNLOAD_URL_TTL_MS = 10 * 60 * 1000;

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
  readonly ecr: Pick<EcrApiDeps, 'authenticate' | 'authorize' | 'services'>;
}

/** Identity, SigV4, tokens and IAM evaluation wired over the embedded storage. */
export function createAuth(config: ConfigFile, storage: RegistryStorage, tokenKey: Buffer, allowAnonymous: boolean): AuthDeps {
  const directory = new IdentityDirectory(config.identities ?? defaultIdentityConfig());
  const clock = systemClock;
  const access = new AccessService(storage.repositories, storage.registries, (arn) => directory.identityPolicies(arn), clock);

  const services: ActionServices = {
    issueToken: (principal: Principal, registryKey: string) =>
      issueToken({ accountId: principal.accountId, principalArn: principal.arn, registry: registryKey }, tokenKey, { now: clock.now() }),
    downloadUrl: (host, repo, digest, principal) => {
      const { token } = issueToken({ accountId: principal.accountId, principalArn: principal.arn, registry: repo.registry }, tokenKey, {
        now: clock.now(),
        ttlMs: DOWNLOAD_URL_TTL_MS,
      });
      return `http://${host}/v2/${repo.name}/blobs/${digest}?X-Cargohold-Token=${encodeURIComponent(token)}`;
    },
    validatePolicy: (text) => void parsePolicy(text, 'resource'),
  };

  return {
    authorizer: allowAnonymous ? new AllowAllAuthorizer() : new TokenAuthorizer(tokenKey, access, clock),
    ecr: {
      services,
      authorize: (check) => access.allows(check),
      async authenticate(request: HttpRequest, body: Buffer, now: Date) {
        const result = await verifySigV4(
          { method: request.method, path: request.path, query: request.query, headers: request.headers, body },
          directory.credentialLookup,
          { now, service: 'ecr' },
        );
        if (!result.ok) throw new AwsError(result.error.name, result.error.message, result.error.status);
        return { principal: result.principal, region: result.region };
      },
    },
  };
}
