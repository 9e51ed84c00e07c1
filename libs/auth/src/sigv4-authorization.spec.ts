import { parseAmzDate, parseCredentialScope, parseSigV4Authorization } from './sigv4-authorization';
import { verifySigV4 } from './sigv4';
import type { CredentialLookup, SigV4Request } from './sigv4';

const NOW = new Date('2026-01-01T00:10:00Z');
const SIGNATURE = 'a'.repeat(64);
const AUTHORIZATION =
  `AWS4-HMAC-SHA256 Credential=test/20260101/us-east-1/ecr/aws4_request, ` + `SignedHeaders=content-type;host;x-amz-date;x-amz-target, Signature=${SIGNATURE}`;

function request(headers: Record<string, string | undefined> = {}): SigV4Request {
  return {
    method: 'POST',
    path: '/',
    query: new URLSearchParams(),
    headers: {
      'content-type': 'application/x-amz-json-1.1',
      host: 'localhost:5000',
      'x-amz-date': '20260101T001000Z',
      'x-amz-target': 'AmazonEC2ContainerRegistry_V20150921.DescribeRepositories',
      authorization: AUTHORIZATION,
      ...headers,
    },
    body: new TextEncoder().encode('{}'),
  };
}

const lookup: CredentialLookup = async () => undefined;
const verify = (headers: Record<string, string | undefined>) => verifySigV4(request(headers), lookup, { now: NOW, service: 'ecr' });
const incomplete = (message: string) => ({ ok: false, error: { name: 'IncompleteSignatureException', message, status: 400 } });
const invalid = (message: string) => ({ ok: false, error: { name: 'InvalidSignatureException', message, status: 400 } });

describe('parseSigV4Authorization', () => {
  it('splits the algorithm, the credential, the lower-cased signed headers and the signature', () => {
    expect(parseSigV4Authorization(AUTHORIZATION.replace('host', 'Host'))).toEqual({
      kind: 'parsed',
      authorization: {
        algorithm: 'AWS4-HMAC-SHA256',
        credential: 'test/20260101/us-east-1/ecr/aws4_request',
        signedHeaders: ['content-type', 'host', 'x-amz-date', 'x-amz-target'],
        signature: SIGNATURE,
      },
    });
  });

  it('does not take another scheme, or nothing, for SigV4', () => {
    expect(parseSigV4Authorization(undefined)).toEqual({ kind: 'not-sigv4' });
    expect(parseSigV4Authorization('Basic QVdTOnRva2Vu')).toEqual({ kind: 'not-sigv4' });
  });
});

describe('parseCredentialScope', () => {
  it('ignores trailing slashes and wants exactly five non-empty elements', () => {
    expect(parseCredentialScope('AKID/20260101/us-east-1/ecr/aws4_request/')).toEqual({
      accessKeyId: 'AKID',
      date: '20260101',
      region: 'us-east-1',
      service: 'ecr',
      terminator: 'aws4_request',
    });
    expect(parseCredentialScope('AKID/20260101/us-east-1/ecr')).toBeUndefined();
    expect(parseCredentialScope('AKID//us-east-1/ecr/aws4_request')).toBeUndefined();
  });
});

describe('parseAmzDate', () => {
  it('reads the ISO-8601 basic format and nothing else', () => {
    expect(parseAmzDate('20260101T001000Z')).toEqual(NOW);
    expect(parseAmzDate('2026-01-01T00:10:00Z')).toBeUndefined();
    expect(parseAmzDate('20260230T001000Z')).toBeUndefined();
  });
});

describe('verifySigV4 with a malformed Authorization header', () => {
  it('names every missing component, then the header', async () => {
    const header = 'AWS4-HMAC-SHA256 Credential=test/20260101/us-east-1/ecr/aws4_request';

    await expect(verify({ authorization: header })).resolves.toEqual(
      incomplete("Authorization header requires 'Signature' parameter. Authorization header requires 'SignedHeaders' parameter. " + `Authorization=${header}`),
    );
  });

  it('requires a date header', async () => {
    await expect(verify({ 'x-amz-date': undefined })).resolves.toEqual(
      incomplete(`Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header. Authorization=${AUTHORIZATION}`),
    );
  });

  it('refuses a component that is not key=value', async () => {
    const header = 'AWS4-HMAC-SHA256 test/20260101/us-east-1/ecr/aws4_request, SignedHeaders=host, Signature=abc';

    await expect(verify({ authorization: header })).resolves.toEqual(
      incomplete(`'test/20260101/us-east-1/ecr/aws4_request' not a valid key=value pair (missing equal-sign) in Authorization header: '${header}'.`),
    );
  });

  it('refuses a date that is not ISO-8601 basic format', async () => {
    await expect(verify({ 'x-amz-date': '2026-01-01T00:10:00Z' })).resolves.toEqual(
      incomplete("Date must be in ISO-8601 'basic format'. Got '2026-01-01T00:10:00Z'. See http://en.wikipedia.org/wiki/ISO_8601"),
    );
  });

  it('refuses another algorithm', async () => {
    await expect(verify({ authorization: AUTHORIZATION.replace('AWS4-HMAC-SHA256', 'AWS4-ECDSA-P256-SHA256') })).resolves.toEqual(
      incomplete("Unsupported AWS 'algorithm': 'AWS4-ECDSA-P256-SHA256' (only AWS4-HMAC-SHA256 for now). "),
    );
  });

  it('refuses a credential that is not five slash-delimited elements', async () => {
    await expect(verify({ authorization: AUTHORIZATION.replace('/aws4_request', '') })).resolves.toEqual(
      incomplete("Credential must have exactly 5 slash-delimited elements, e.g. keyid/date/region/service/term, got 'test/20260101/us-east-1/ecr'"),
    );
  });

  it('reports every wrong element of the credential scope at once', async () => {
    const header = AUTHORIZATION.replace('20260101/us-east-1/ecr/aws4_request', '20251231/us-east-1/s3/aws5_request');

    await expect(verify({ authorization: header })).resolves.toEqual(
      invalid(
        "Credential should be scoped to correct service: 'ecr'. " +
          "Credential should be scoped with a valid terminator: 'aws4_request', not 'aws5_request'. " +
          "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '20251231' != '20260101', from '20260101T001000Z'.",
      ),
    );
  });

  it('refuses a signed header the request does not carry', async () => {
    await expect(verify({ 'content-type': undefined })).resolves.toEqual(
      incomplete("'content-type' is named as a SignedHeader, but it does not exist in the HTTP request."),
    );
  });

  it('requires the session token to be signed when the request carries one', async () => {
    await expect(verify({ 'x-amz-security-token': 'session-1' })).resolves.toEqual(
      invalid("'X-Amz-Security-Token' must be a 'SignedHeader' in the AWS Authorization."),
    );
  });

  it('requires X-Amz-Date to be signed', async () => {
    await expect(verify({ authorization: AUTHORIZATION.replace(';x-amz-date', '') })).resolves.toEqual(
      invalid("'X-Amz-Date' must be a 'SignedHeader' in the AWS Authorization."),
    );
  });
});
