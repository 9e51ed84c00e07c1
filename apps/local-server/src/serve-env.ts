import { MIN_TOKEN_KEY_BYTES, parseIdentityConfigJson, type IdentityConfig } from '@cargohold/auth';

/** What `cargohold serve` takes from its environment: the secrets a deployment shares with its upload gateway. */
export interface ServeEnvironment {
  /** CARGOHOLD_TOKEN_KEY_BASE64: the token-signing key, instead of the key file under --data-dir. */
  readonly tokenKey?: Buffer;
  /** CARGOHOLD_IDENTITIES_JSON: IAM-lite identities, instead of the config file's. */
  readonly identities?: IdentityConfig;
}

/**
 * Reads and checks the variables; a bad value stops the server with the variable's name (never its
 * value: both are secrets). On AWS, ECS puts them in the gateway task from SSM parameters.
 */
export function readServeEnvironment(env: NodeJS.ProcessEnv): ServeEnvironment {
  const keyText = env['CARGOHOLD_TOKEN_KEY_BASE64'];
  const identitiesText = env['CARGOHOLD_IDENTITIES_JSON'];
  let tokenKey: Buffer | undefined;
  if (keyText !== undefined && keyText !== '') {
    tokenKey = Buffer.from(keyText, 'base64');
    if (!/^[A-Za-z0-9+/]+={0,2}$/.test(keyText.trim()) || tokenKey.length < MIN_TOKEN_KEY_BYTES) {
      throw new Error(`CARGOHOLD_TOKEN_KEY_BASE64 must be base64 of at least ${MIN_TOKEN_KEY_BYTES} bytes`);
    }
  }
  let identities: IdentityConfig | undefined;
  if (identitiesText !== undefined && identitiesText !== '') {
    identities = parseIdentityConfigJson(identitiesText, 'CARGOHOLD_IDENTITIES_JSON');
  }
  return { ...(tokenKey ? { tokenKey } : {}), ...(identities ? { identities } : {}) };
}
