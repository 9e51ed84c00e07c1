import { createHash, createPrivateKey, createPublicKey, randomUUID, sign, type KeyObject } from 'node:crypto';
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';

/** One `access` entry of a distribution token: what the bearer may do to one repository. */
export interface TokenAccess {
  readonly type: 'repository' | 'registry';
  readonly name: string;
  readonly actions: readonly string[];
}

/**
 * Signs the JWTs docker-registry's `auth.token` accepts: RS256, signed by a key whose self-signed
 * certificate is the registry's `rootcertbundle`, named by its libtrust key id (`kid`), which is how
 * distribution 2.8 looks up a trusted key. Written with node:crypto: a JWS is two base64url segments
 * and a signature, and no JWT library is installed (jose 6 is ESM-only, awkward under CommonJS jest).
 */
export class TokenIssuer {
  private constructor(
    private readonly key: KeyObject,
    private readonly keyId: string,
    readonly certificatePath: string,
    readonly issuer: string,
    readonly service: string,
  ) {}

  /** Writes `token-key.pem` and `token-cert.pem` into `directory` with openssl. */
  static async create(directory: string, issuer: string, service: string): Promise<TokenIssuer> {
    const keyPath = join(directory, 'token-key.pem');
    const certificatePath = join(directory, 'token-cert.pem');
    const args = ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', keyPath, '-out', certificatePath, '-days', '2', '-subj', `/CN=${issuer}`];
    await promisify(execFile)('openssl', args);
    const key = createPrivateKey(await readFile(keyPath));
    return new TokenIssuer(key, libtrustKeyId(createPublicKey(key)), certificatePath, issuer, service);
  }

  issue(subject: string, access: readonly TokenAccess[], lifetimeSeconds: number): string {
    const now = Math.floor(Date.now() / 1000);
    const header = { typ: 'JWT', alg: 'RS256', kid: this.keyId };
    const claims = { iss: this.issuer, sub: subject, aud: this.service, exp: now + lifetimeSeconds, nbf: now - 10, iat: now, jti: randomUUID(), access };
    const signingInput = `${base64url(JSON.stringify(header))}.${base64url(JSON.stringify(claims))}`;
    return `${signingInput}.${base64url(sign('sha256', Buffer.from(signingInput), this.key))}`;
  }
}

function base64url(data: string | Buffer): string {
  return Buffer.from(data).toString('base64url');
}

/** libtrust's key id: the first 240 bits of sha256(DER SPKI), base32, in colon-separated groups of four. */
function libtrustKeyId(publicKey: KeyObject): string {
  const hash = createHash('sha256')
    .update(publicKey.export({ type: 'spki', format: 'der' }))
    .digest()
    .subarray(0, 30);
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = '';
  for (const byte of hash) bits += byte.toString(2).padStart(8, '0');
  let encoded = '';
  for (let index = 0; index < bits.length; index += 5) encoded += alphabet[parseInt(bits.slice(index, index + 5), 2)];
  return (encoded.match(/.{4}/g) ?? []).join(':');
}
