/**
 * The `Authorization` header of a SigV4-signed request:
 *
 *   AWS4-HMAC-SHA256 Credential=AKID/20260101/us-east-1/ecr/aws4_request, SignedHeaders=host;x-amz-date, Signature=<hex>
 *
 * Parsing only splits it into its parts; whether the parts are acceptable is the verifier's decision.
 */
export interface SigV4Authorization {
  readonly algorithm: string;
  /** `AKID/DATE/REGION/SERVICE/aws4_request`, unsplit: its shape is checked separately, as AWS does. */
  readonly credential: string;
  /** Lower-cased, in the order the client listed them. */
  readonly signedHeaders: readonly string[];
  readonly signature: string;
}

export type ParsedAuthorization =
  | { readonly kind: 'parsed'; readonly authorization: SigV4Authorization }
  /** Not SigV4 at all (absent, empty, another scheme): AWS treats the request as unauthenticated. */
  | { readonly kind: 'not-sigv4' }
  | { readonly kind: 'not-key-value'; readonly part: string }
  | { readonly kind: 'incomplete'; readonly missing: readonly ('Credential' | 'Signature' | 'SignedHeaders')[] };

const REQUIRED = ['Credential', 'Signature', 'SignedHeaders'] as const;

export function parseSigV4Authorization(header: string | undefined): ParsedAuthorization {
  const trimmed = header?.trim() ?? '';
  if (!trimmed.startsWith('AWS4-')) return { kind: 'not-sigv4' };

  const [algorithm = '', ...parts] = trimmed.split(/[\s,]+/).filter((part) => part.length > 0);
  const params = new Map<string, string>();
  for (const part of parts) {
    const equals = part.indexOf('=');
    if (equals < 0) return { kind: 'not-key-value', part };
    params.set(part.slice(0, equals), part.slice(equals + 1));
  }

  const missing = REQUIRED.filter((name) => !params.get(name));
  if (missing.length > 0) return { kind: 'incomplete', missing };

  return {
    kind: 'parsed',
    authorization: {
      algorithm,
      credential: params.get('Credential') ?? '',
      signedHeaders: (params.get('SignedHeaders') ?? '').split(';').map((name) => name.trim().toLowerCase()),
      signature: params.get('Signature') ?? '',
    },
  };
}

export interface CredentialScope {
  readonly accessKeyId: string;
  readonly date: string;
  readonly region: string;
  readonly service: string;
  readonly terminator: string;
}

/** Splits `AKID/DATE/REGION/SERVICE/aws4_request`; trailing slashes are ignored, as AWS does. */
export function parseCredentialScope(credential: string): CredentialScope | undefined {
  const elements = credential.replace(/\/+$/, '').split('/');
  if (elements.length !== 5 || elements.some((element) => element.length === 0)) return undefined;
  const [accessKeyId = '', date = '', region = '', service = '', terminator = ''] = elements;
  return { accessKeyId, date, region, service, terminator };
}

/** `YYYYMMDDTHHMMSSZ`, the only form SigV4 signers write in `X-Amz-Date`. */
export function parseAmzDate(value: string): Date | undefined {
  const match = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(value);
  if (!match) return undefined;
  const [, year, month, day, hour, minute, second] = match.map(Number) as number[];
  const date = new Date(Date.UTC(year ?? 0, (month ?? 0) - 1, day, hour, minute, second));
  // Date.UTC rolls 20260230 over into March: a date that does not round-trip is not a date.
  return formatAmzDate(date) === value ? date : undefined;
}

export function formatAmzDate(date: Date): string {
  return date
    .toISOString()
    .replace(/\.\d{3}Z$/, 'Z')
    .replace(/[-:]/g, '');
}
