import { isPlainObject, parseStatement } from './parse-statement';
import type { PolicyDocument, PolicyKind, PolicyVersion, Statement } from './types';

/**
 * Parses and validates an IAM policy document. The text is only read: callers persist the original
 * bytes (IAM and ECR return policies exactly as they were submitted) and keep the parsed form for
 * evaluation. Every problem found is reported, not just the first.
 */
export type ParseResult = { ok: true; policy: PolicyDocument } | { ok: false; errors: string[] };

export interface ParseOptions {
  /** Maximum policy length in characters. ECR repository and registry policies: 10,240 (the default). */
  readonly maxLength?: number;
}

export const DEFAULT_MAX_POLICY_LENGTH = 10_240;

const TOP_LEVEL_KEYS = new Set(['Version', 'Id', 'Statement']);
const VERSIONS: readonly PolicyVersion[] = ['2012-10-17', '2008-10-17'];

export function parsePolicyDocument(text: string, kind: PolicyKind, options: ParseOptions = {}): ParseResult {
  const maxLength = options.maxLength ?? DEFAULT_MAX_POLICY_LENGTH;
  if (text.length > maxLength) {
    return { ok: false, errors: [`policy is ${text.length} characters; the maximum is ${maxLength}`] };
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    return { ok: false, errors: [`policy is not valid JSON: ${(error as Error).message}`] };
  }
  if (!isPlainObject(raw)) return { ok: false, errors: ['policy must be a JSON object'] };

  const errors: string[] = [];
  for (const key of Object.keys(raw)) {
    if (!TOP_LEVEL_KEYS.has(key)) errors.push(`unknown top-level element "${key}"`);
  }
  const version = raw['Version'] ?? '2008-10-17';
  if (!VERSIONS.includes(version as PolicyVersion)) errors.push('Version must be "2012-10-17" or "2008-10-17"');
  const id = raw['Id'];
  if (id !== undefined && typeof id !== 'string') errors.push('Id must be a string');

  const statements = parseStatements(raw['Statement'], kind, version as PolicyVersion, errors);
  if (errors.length > 0 || !statements) return { ok: false, errors };
  return {
    ok: true,
    policy: { kind, version: version as PolicyVersion, ...(typeof id === 'string' ? { id } : {}), statements },
  };
}

function parseStatements(raw: unknown, kind: PolicyKind, version: PolicyVersion, errors: string[]): Statement[] | undefined {
  if (raw === undefined) {
    errors.push('Statement is required');
    return undefined;
  }
  const single = !Array.isArray(raw);
  const list: unknown[] = single ? [raw] : raw;
  if (list.length === 0) {
    errors.push('Statement must contain at least one statement');
    return undefined;
  }
  const statements: Statement[] = [];
  const sids = new Set<string>();
  list.forEach((item, i) => {
    const path = single ? 'Statement' : `Statement[${i}]`;
    const statement = parseStatement(item, { kind, version, path }, errors);
    if (!statement) return;
    if (statement.sid) {
      if (sids.has(statement.sid)) errors.push(`${path}.Sid "${statement.sid}" is not unique`);
      sids.add(statement.sid);
    }
    statements.push(statement);
  });
  return statements;
}
