import { Readable } from 'node:stream';
// Specs sign with the real SDK so that verification is checked against what clients actually send.
import { DescribeRepositoriesCommand, ECRClient } from '@aws-sdk/client-ecr';
import { Hash } from '@smithy/hash-node';
import { HttpRequest, HttpResponse } from '@smithy/protocol-http';
import { SignatureV4 } from '@smithy/signature-v4';
import type { Principal } from './authorizer';
import { verifySigV4 } from './sigv4';
import type { CredentialLookup, SigV4Request } from './sigv4';

const SIGNED_AT = new Date('2026-01-01T00:10:00Z');
const ADMIN: Principal = { accountId: '000000000000', arn: 'arn:aws:iam::000000000000:user/admin' };
const DEPLOYER: Principal = { accountId: '123456789012', arn: 'arn:aws:iam::123456789012:role/deployer' };

const lookup: CredentialLookup = async (accessKeyId) => {
  if (accessKeyId === 'test') return { secretAccessKey: 'test', principal: ADMIN };
  if (accessKeyId === 'ASIATEMP') return { secretAccessKey: 'temp-secret', principal: DEPLOYER, sessionToken: 'session-1' };
  return undefined;
};

interface SignAs {
  readonly accessKeyId?: string;
  readonly secretAccessKey?: string;
  readonly sessionToken?: string;
  readonly region?: string;
}

/** Sends `DescribeRepositories` through a real ECR client at SIGNED_AT and returns the request it signed. */
async function signWithEcrClient(as: SignAs = {}): Promise<SigV4Request> {
  const sent: HttpRequest[] = [];
  const client = new ECRClient({
    region: as.region ?? 'us-east-1',
    endpoint: 'http://localhost:5000',
    credentials: {
      accessKeyId: as.accessKeyId ?? 'test',
      secretAccessKey: as.secretAccessKey ?? 'test',
      ...(as.sessionToken === undefined ? {} : { sessionToken: as.sessionToken }),
    },
    maxAttempts: 1,
    requestHandler: {
      handle: async (request: HttpRequest) => {
        sent.push(request);
        const body = Readable.from([Buffer.from('{"repositories":[]}')]);
        return { response: new HttpResponse({ statusCode: 200, headers: { 'content-type': 'application/x-amz-json-1.1' }, body }) };
      },
      updateHttpClientConfig: () => undefined,
      httpHandlerConfigs: () => ({}),
    },
  });
  const clock = jest.spyOn(Date, 'now').mockReturnValue(SIGNED_AT.getTime());
  try {
    await client.send(new DescribeRepositoriesCommand({ repositoryNames: ['team/app'] }));
  } finally {
    clock.mockRestore();
  }
  const [request] = sent;
  if (!request) throw new Error('the client sent nothing');
  return toIncoming(request);
}

function toIncoming(request: { method: string; path: string; headers: Record<string, string>; body?: unknown }): SigV4Request {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(request.headers)) headers[name.toLowerCase()] = value;
  const body = typeof request.body === 'string' ? new TextEncoder().encode(request.body) : (request.body as Uint8Array);
  return { method: request.method, path: request.path, query: new URLSearchParams(), headers, body };
}

function withHeaders(request: SigV4Request, changes: Record<string, string | undefined>): SigV4Request {
  return { ...request, headers: { ...request.headers, ...changes } };
}

const verify = (request: SigV4Request, now = SIGNED_AT) => verifySigV4(request, lookup, { now, service: 'ecr' });

describe('verifySigV4', () => {
  describe('a request signed by @aws-sdk/client-ecr', () => {
    it('is accepted and names the principal, the access key and the region of the credential scope', async () => {
      const request = await signWithEcrClient({ region: 'eu-west-1' });

      await expect(verify(request)).resolves.toEqual({ ok: true, principal: ADMIN, accessKeyId: 'test', region: 'eu-west-1', service: 'ecr' });
    });

    it('is accepted with temporary credentials whose session token it carries', async () => {
      const request = await signWithEcrClient({ accessKeyId: 'ASIATEMP', secretAccessKey: 'temp-secret', sessionToken: 'session-1' });

      await expect(verify(request)).resolves.toMatchObject({ ok: true, principal: DEPLOYER });
    });

    it('is accepted within the allowed clock skew, either way', async () => {
      const request = await signWithEcrClient();

      await expect(verify(request, new Date('2026-01-01T00:14:59Z'))).resolves.toMatchObject({ ok: true });
      await expect(verify(request, new Date('2026-01-01T00:05:01Z'))).resolves.toMatchObject({ ok: true });
    });
  });

  describe('a request signed by hand', () => {
    it('is accepted with an escaped path and a repeated query parameter', async () => {
      const request = await signWithEcrClient();
      const resigned = await resignByHand(request, { path: '/v2/team%2Fapp/a b', query: { n: ['2', '1'], last: 'x/y' } });

      await expect(verify(resigned)).resolves.toMatchObject({ ok: true });
      await expect(verify({ ...resigned, query: new URLSearchParams('n=2&last=x/y') })).resolves.toMatchObject({ ok: false });
    });

    it('is accepted when the client also signed a header signers usually skip, such as user-agent', async () => {
      const request = await signWithEcrClient();
      const resigned = await resignByHand(request, { signableHeaders: new Set(['user-agent']) });

      expect(resigned.headers['authorization']).toContain(';user-agent;');
      await expect(verify(resigned)).resolves.toMatchObject({ ok: true });
    });
  });

  describe('refuses, as AWS does,', () => {
    const signatureMismatch = {
      name: 'InvalidSignatureException',
      message:
        'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key ' +
        'and signing method. Consult the service documentation for details.',
      status: 400,
    };
    const unrecognized = { name: 'UnrecognizedClientException', message: 'The security token included in the request is invalid.', status: 400 };

    it('a request signed with the wrong secret', async () => {
      const request = await signWithEcrClient({ secretAccessKey: 'not-the-secret' });

      await expect(verify(request)).resolves.toEqual({ ok: false, error: signatureMismatch });
    });

    it('a body altered after signing', async () => {
      const request = await signWithEcrClient();
      const altered = { ...request, body: new TextEncoder().encode('{"repositoryNames":["team/other"]}') };

      await expect(verify(altered)).resolves.toEqual({ ok: false, error: signatureMismatch });
    });

    it('an x-amz-content-sha256 that is not the hash of the body received', async () => {
      const request = await signWithEcrClient();
      const claimed = withHeaders(request, { 'x-amz-content-sha256': 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855' });

      await expect(verify(claimed)).resolves.toEqual({ ok: false, error: signatureMismatch });
    });

    it('an unknown access key', async () => {
      const request = await signWithEcrClient({ accessKeyId: 'AKIAUNKNOWN' });

      await expect(verify(request)).resolves.toEqual({ ok: false, error: unrecognized });
    });

    it('temporary credentials without their session token, or with another one', async () => {
      const withoutToken = await signWithEcrClient({ accessKeyId: 'ASIATEMP', secretAccessKey: 'temp-secret' });
      const otherToken = await signWithEcrClient({ accessKeyId: 'ASIATEMP', secretAccessKey: 'temp-secret', sessionToken: 'session-2' });

      await expect(verify(withoutToken)).resolves.toEqual({ ok: false, error: unrecognized });
      await expect(verify(otherToken)).resolves.toEqual({ ok: false, error: unrecognized });
    });

    it('a session token sent with long-term credentials', async () => {
      const request = await signWithEcrClient({ sessionToken: 'session-1' });

      await expect(verify(request)).resolves.toEqual({ ok: false, error: unrecognized });
    });

    it('a signature older than the allowed skew', async () => {
      const request = await signWithEcrClient();

      await expect(verify(request, new Date('2026-01-01T00:15:01Z'))).resolves.toEqual({
        ok: false,
        error: {
          name: 'InvalidSignatureException',
          message: 'Signature expired: 20260101T001000Z is now earlier than 20260101T001001Z (20260101T001501Z - 5 min.)',
          status: 400,
        },
      });
    });

    it('a signature dated further in the future than the allowed skew', async () => {
      const request = await signWithEcrClient();

      await expect(verify(request, new Date('2026-01-01T00:04:00Z'))).resolves.toEqual({
        ok: false,
        error: {
          name: 'InvalidSignatureException',
          message: 'Signature not yet current: 20260101T001000Z is still later than 20260101T000900Z (20260101T000400Z + 5 min.)',
          status: 400,
        },
      });
    });

    it('a request without an Authorization header, or with another scheme', async () => {
      const request = await signWithEcrClient();
      const missing = { name: 'MissingAuthenticationTokenException', message: 'Missing Authentication Token', status: 400 };

      await expect(verify(withHeaders(request, { authorization: undefined }))).resolves.toEqual({ ok: false, error: missing });
      await expect(verify(withHeaders(request, { authorization: 'Basic QVdTOnRva2Vu' }))).resolves.toEqual({ ok: false, error: missing });
    });

    it('an x-amz-target left out of SignedHeaders', async () => {
      const request = await signWithEcrClient();
      const resigned = await resignByHand(request, { unsignableHeaders: new Set(['x-amz-target']) });

      await expect(verify(resigned)).resolves.toEqual({
        ok: false,
        error: { name: 'InvalidSignatureException', message: "'X-Amz-Target' must be a 'SignedHeader' in the AWS Authorization.", status: 400 },
      });
    });

    it('an unsigned host', async () => {
      const request = await signWithEcrClient();
      const edited = withHeaders(request, { authorization: request.headers['authorization']?.replace('host;', '') });

      await expect(verify(edited)).resolves.toEqual({
        ok: false,
        error: {
          name: 'InvalidSignatureException',
          message: "'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization.",
          status: 400,
        },
      });
    });
  });
});

interface HandSigning {
  readonly unsignableHeaders?: Set<string>;
  readonly signableHeaders?: Set<string>;
  readonly path?: string;
  readonly query?: Record<string, string | string[]>;
}

/** Re-signs an incoming request with @smithy/signature-v4 directly, e.g. to leave a header unsigned. */
async function resignByHand(request: SigV4Request, options: HandSigning): Promise<SigV4Request> {
  const { authorization: _dropped, ...headers } = request.headers as Record<string, string>;
  const signer = new SignatureV4({
    service: 'ecr',
    region: 'us-east-1',
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    sha256: Hash.bind(null, 'sha256'),
    applyChecksum: false,
  });
  const { unsignableHeaders, signableHeaders, path = request.path, query = {} } = options;
  const signed = await signer.sign(new HttpRequest({ method: request.method, hostname: 'localhost', path, query, headers, body: request.body }), {
    signingDate: SIGNED_AT,
    ...(unsignableHeaders && { unsignableHeaders }),
    ...(signableHeaders && { signableHeaders }),
  });
  const search = new URLSearchParams();
  for (const [key, values] of Object.entries(query)) for (const value of [values].flat()) search.append(key, value);
  return { ...toIncoming(signed), query: search };
}
