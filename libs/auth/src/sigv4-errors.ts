/**
 * The authentication failures of an AWS JSON (Coral) service such as ECR, with the names, messages and
 * statuses AWS returns, so that SDKs and the CLI react as they do against AWS: a JSON 1.1 service answers
 * every one of them with HTTP 400 and `{"__type": name, "message": message}`.
 *
 * `InvalidSignatureException` (like `SignatureDoesNotMatch`) is one of the SDKs' clock-skew error codes: the
 * AWS SDK v3 and botocore correct their clock from the response `Date` header and retry once, so the edge
 * that serializes these errors should send a `Date` header.
 */
export type SigV4ErrorName =
  | 'MissingAuthenticationTokenException'
  | 'IncompleteSignatureException'
  | 'InvalidSignatureException'
  | 'UnrecognizedClientException'
  /** The query/XML protocols' (STS, IAM) name for InvalidSignatureException; JSON services never use it. */
  | 'SignatureDoesNotMatch';

export interface SigV4Error {
  readonly name: SigV4ErrorName;
  readonly message: string;
  readonly status: 400 | 403;
}

const AWS_SIGNED_HEADER_NAMES: Readonly<Record<string, string>> = {
  host: "'Host' or ':authority'",
  'x-amz-date': "'X-Amz-Date'",
  'x-amz-target': "'X-Amz-Target'",
  'x-amz-security-token': "'X-Amz-Security-Token'",
};

const incomplete = (message: string): SigV4Error => ({ name: 'IncompleteSignatureException', message, status: 400 });
const invalid = (message: string): SigV4Error => ({ name: 'InvalidSignatureException', message, status: 400 });

export const sigV4Errors = {
  missingToken: (): SigV4Error => ({
    name: 'MissingAuthenticationTokenException',
    message: 'Missing Authentication Token',
    status: 400,
  }),

  notKeyValue: (part: string, authorization: string): SigV4Error =>
    incomplete(`'${part}' not a valid key=value pair (missing equal-sign) in Authorization header: '${authorization}'.`),

  /** Every missing component is named, in AWS's order, followed by the header itself. */
  missingComponents: (missing: readonly ('Credential' | 'Signature' | 'SignedHeaders' | 'Date')[], authorization: string): SigV4Error =>
    incomplete(
      missing
        .map((part) =>
          part === 'Date'
            ? "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header."
            : `Authorization header requires '${part}' parameter.`,
        )
        .join(' ') + ` Authorization=${authorization}`,
    ),

  badDate: (value: string): SigV4Error => incomplete(`Date must be in ISO-8601 'basic format'. Got '${value}'. See http://en.wikipedia.org/wiki/ISO_8601`),

  unsupportedAlgorithm: (algorithm: string): SigV4Error => incomplete(`Unsupported AWS 'algorithm': '${algorithm}' (only AWS4-HMAC-SHA256 for now). `),

  badCredential: (credential: string): SigV4Error =>
    incomplete(`Credential must have exactly 5 slash-delimited elements, e.g. keyid/date/region/service/term, got '${credential}'`),

  namedButAbsent: (header: string): SigV4Error => incomplete(`'${header}' is named as a SignedHeader, but it does not exist in the HTTP request.`),

  mustBeSigned: (header: string): SigV4Error =>
    invalid(`${AWS_SIGNED_HEADER_NAMES[header] ?? `'${header}'`} must be a 'SignedHeader' in the AWS Authorization.`),

  /** AWS reports every wrong scope element at once, separated by spaces. */
  badScope: (problems: readonly string[]): SigV4Error => invalid(problems.join(' ')),

  expired: (signedAt: string, earliest: string, now: string, skew: string): SigV4Error =>
    invalid(`Signature expired: ${signedAt} is now earlier than ${earliest} (${now} - ${skew}.)`),

  notYetCurrent: (signedAt: string, latest: string, now: string, skew: string): SigV4Error =>
    invalid(`Signature not yet current: ${signedAt} is still later than ${latest} (${now} + ${skew}.)`),

  unrecognizedClient: (): SigV4Error => ({
    name: 'UnrecognizedClientException',
    message: 'The security token included in the request is invalid.',
    status: 400,
  }),

  signatureMismatch: (): SigV4Error =>
    invalid(
      'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key ' +
        'and signing method. Consult the service documentation for details.',
    ),
} as const;

export const scopeProblems = {
  region: (region: string) => `Credential should be scoped to a valid region, not '${region}'.`,
  service: (service: string) => `Credential should be scoped to correct service: '${service}'.`,
  terminator: (terminator: string) => `Credential should be scoped with a valid terminator: 'aws4_request', not '${terminator}'.`,
  date: (scopeDate: string, requestDay: string, amzDate: string) =>
    `Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '${scopeDate}' != '${requestDay}', from '${amzDate}'.`,
} as const;
