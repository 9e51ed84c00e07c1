import { createCipheriv, createDecipheriv, createHmac, randomBytes } from 'node:crypto';
import { invalidParameter } from './aws-errors';

/**
 * ECR's `nextToken`s: opaque and tamper-evident. A cursor (the last key a page showed) is sealed with
 * AES-256-GCM under a key derived from the deployment's token key, bound to the operation and the scope
 * it pages (registry, repository) as associated data. So a client can neither read a token (a
 * DescribeRepositories cursor names a repository the caller may not be allowed to see) nor forge or
 * replay one on another listing; anything that does not open is InvalidParameterException, as on ECR.
 *
 *   token = base64url( iv[12] | ciphertext | tag[16] )
 */
export interface PageTokens {
  seal(scope: string, cursor: string | undefined): string | undefined;
  /** The cursor a token carries; undefined for no token. Throws InvalidParameterException for a bad one. */
  open(scope: string, token: string | undefined): string | undefined;
}

const IV_BYTES = 12;
const TAG_BYTES = 16;

export function pageTokens(tokenKey: Buffer, operation: string): PageTokens {
  // A key of its own: the token key also signs auth tokens, and one key should serve one purpose.
  const key = createHmac('sha256', tokenKey).update('cargohold ecr nextToken v1').digest();
  const aad = (scope: string) => Buffer.from(`${operation}\n${scope}`);
  return {
    seal(scope, cursor) {
      if (cursor === undefined) return undefined;
      const iv = randomBytes(IV_BYTES);
      const cipher = createCipheriv('aes-256-gcm', key, iv).setAAD(aad(scope));
      const sealed = Buffer.concat([cipher.update(cursor, 'utf8'), cipher.final()]);
      return Buffer.concat([iv, sealed, cipher.getAuthTag()]).toString('base64url');
    },
    open(scope, token) {
      if (token === undefined) return undefined;
      const bytes = Buffer.from(token, 'base64url');
      if (bytes.length < IV_BYTES + TAG_BYTES || bytes.toString('base64url') !== token) throw invalidNextToken();
      try {
        const decipher = createDecipheriv('aes-256-gcm', key, bytes.subarray(0, IV_BYTES)).setAAD(aad(scope));
        decipher.setAuthTag(bytes.subarray(bytes.length - TAG_BYTES));
        return Buffer.concat([decipher.update(bytes.subarray(IV_BYTES, bytes.length - TAG_BYTES)), decipher.final()]).toString('utf8');
      } catch {
        throw invalidNextToken();
      }
    },
  };
}

// ECR answers a token it did not issue with InvalidParameterException ("Invalid NextToken"-style text).
const invalidNextToken = () => invalidParameter(`Invalid parameter at 'nextToken' failed to satisfy constraint: 'Invalid NextToken'`);
