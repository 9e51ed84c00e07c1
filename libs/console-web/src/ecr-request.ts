import { Sha256 } from '@aws-crypto/sha256-js';
import { HttpRequest } from '@smithy/protocol-http';
import { SignatureV4 } from '@smithy/signature-v4';

/** What the person typed at sign-in. Kept in memory only (see session.ts): never a cookie, never localStorage. */
export interface Credentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken?: string;
  readonly region: string;
}

/** A request ready for `fetch`: plain data, so it can be checked without a browser. */
export interface SignedRequest {
  readonly url: string;
  readonly method: 'POST';
  readonly headers: Record<string, string>;
  readonly body: string;
}

const TARGET_PREFIX = 'AmazonEC2ContainerRegistry_V20150921.';
export const ECR_CONTENT_TYPE = 'application/x-amz-json-1.1';

/**
 * Signs one ECR JSON 1.1 call for `origin` (the API's scheme://host[:port], normally the page's own).
 * The host is signed but not returned: a browser sets Host itself and refuses a script's value; it sends
 * the origin's host, which is what was signed. The pure-JS SHA-256 is used rather than Web Crypto because
 * `crypto.subtle` exists only in secure contexts, and a registry on plain http (not localhost) is not one.
 */
export async function signEcrRequest(credentials: Credentials, origin: string, action: string, input: object, now = new Date()): Promise<SignedRequest> {
  const url = new URL('/', origin);
  const body = JSON.stringify(input);
  const signer = new SignatureV4({
    service: 'ecr',
    region: credentials.region,
    sha256: Sha256,
    // As the AWS SDK signs ECR calls: the payload hash is in the signature, not also in a header.
    applyChecksum: false,
    credentials: {
      accessKeyId: credentials.accessKeyId,
      secretAccessKey: credentials.secretAccessKey,
      ...(credentials.sessionToken ? { sessionToken: credentials.sessionToken } : {}),
    },
  });
  const request = new HttpRequest({
    method: 'POST',
    protocol: url.protocol,
    hostname: url.hostname,
    ...(url.port ? { port: Number(url.port) } : {}),
    path: '/',
    headers: { host: url.host, 'content-type': ECR_CONTENT_TYPE, 'x-amz-target': TARGET_PREFIX + action },
    body,
  });
  const signed = await signer.sign(request, { signingDate: now });
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(signed.headers)) if (name.toLowerCase() !== 'host') headers[name] = value;
  return { url: url.toString(), method: 'POST', headers, body };
}
