import { parsePolicyDocument } from './parse-policy';
import type { PolicyKind } from './types';

const allow = { Effect: 'Allow', Action: 'ecr:BatchGetImage', Resource: '*' };
const pull = { Effect: 'Allow', Principal: { AWS: '111122223333' }, Action: ['ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer'] };

function errorsOf(document: unknown, kind: PolicyKind = 'identity'): string[] {
  const text = typeof document === 'string' ? document : JSON.stringify(document);
  const result = parsePolicyDocument(text, kind);
  return result.ok ? [] : result.errors;
}

describe('parsePolicyDocument', () => {
  describe('accepts', () => {
    it('an identity policy with a single statement object', () => {
      const result = parsePolicyDocument(JSON.stringify({ Version: '2012-10-17', Id: 'p1', Statement: allow }), 'identity');
      expect(result).toEqual({
        ok: true,
        policy: {
          kind: 'identity',
          version: '2012-10-17',
          id: 'p1',
          statements: [
            { effect: 'Allow', action: { negated: false, patterns: ['ecr:BatchGetImage'] }, resource: { negated: false, patterns: ['*'] }, conditions: [] },
          ],
        },
      });
    });

    it('a policy without Version as a 2008-10-17 policy', () => {
      const result = parsePolicyDocument(JSON.stringify({ Statement: [allow] }), 'identity');
      expect(result.ok && result.policy.version).toBe('2008-10-17');
    });

    it('an ECR repository policy without Resource, with a console-style Sid', () => {
      const text = JSON.stringify({ Version: '2008-10-17', Statement: [{ Sid: 'new statement', ...pull }] });
      expect(errorsOf(text, 'resource')).toEqual([]);
    });

    it.each([
      ['"*"', '*'],
      ['{"AWS": "*"}', { AWS: '*' }],
      ['an account id', { AWS: '111122223333' }],
      ['an account root ARN', { AWS: 'arn:aws:iam::111122223333:root' }],
      ['a list of user and role ARNs', { AWS: ['arn:aws:iam::111122223333:user/alice', 'arn:aws:iam::111122223333:role/path/ci'] }],
      ['a role session ARN', { AWS: 'arn:aws:sts::111122223333:assumed-role/ci/build' }],
      ['a Service principal', { Service: 'replication.ecr.amazonaws.com' }],
    ])('Principal %s', (_label, principal) => {
      expect(errorsOf({ Version: '2012-10-17', Statement: { ...pull, Principal: principal } }, 'resource')).toEqual([]);
    });

    it('NotPrincipal with Deny', () => {
      const deny = { Effect: 'Deny', NotPrincipal: { AWS: ['111122223333'] }, Action: 'ecr:*' };
      expect(errorsOf({ Statement: [deny] }, 'resource')).toEqual([]);
    });

    it('conditions with every operator form, keeping JSON numbers and booleans as strings', () => {
      const condition = {
        'ForAnyValue:StringLikeIfExists': { 'aws:TagKeys': ['team*'] },
        NumericLessThanEquals: { 'ecr:maxResults': 100 },
        Bool: { 'aws:SecureTransport': true },
        Null: { 'aws:TokenIssueTime': 'true' },
        IpAddress: { 'aws:SourceIp': ['10.0.0.0/8', '2001:db8::/32'] },
      };
      const result = parsePolicyDocument(JSON.stringify({ Version: '2012-10-17', Statement: { ...allow, Condition: condition } }), 'identity');
      expect(result.ok && result.policy.statements[0]?.conditions).toEqual([
        { operator: 'ForAnyValue:StringLikeIfExists', base: 'StringLike', qualifier: 'ForAnyValue', ifExists: true, key: 'aws:TagKeys', values: ['team*'] },
        { operator: 'NumericLessThanEquals', base: 'NumericLessThanEquals', ifExists: false, key: 'ecr:maxResults', values: ['100'] },
        { operator: 'Bool', base: 'Bool', ifExists: false, key: 'aws:SecureTransport', values: ['true'] },
        { operator: 'Null', base: 'Null', ifExists: false, key: 'aws:TokenIssueTime', values: ['true'] },
        { operator: 'IpAddress', base: 'IpAddress', ifExists: false, key: 'aws:SourceIp', values: ['10.0.0.0/8', '2001:db8::/32'] },
      ]);
    });

    it('a policy exactly at the size limit and rejects one character more', () => {
      const text = JSON.stringify({ Statement: allow });
      expect(parsePolicyDocument(text, 'identity', { maxLength: text.length }).ok).toBe(true);
      expect(parsePolicyDocument(text, 'identity', { maxLength: text.length - 1 })).toEqual({
        ok: false,
        errors: [`policy is ${text.length} characters; the maximum is ${text.length - 1}`],
      });
    });
  });

  describe('rejects', () => {
    it.each<[string, unknown, PolicyKind, string]>([
      ['text that is not JSON', '{"Statement": ', 'identity', 'policy is not valid JSON'],
      ['a JSON array', '[]', 'identity', 'policy must be a JSON object'],
      ['an unknown Version', { Version: '2012-10-18', Statement: allow }, 'identity', 'Version must be "2012-10-17" or "2008-10-17"'],
      ['a non-string Id', { Id: 7, Statement: allow }, 'identity', 'Id must be a string'],
      ['an unknown top-level element', { Statement: allow, Extra: 1 }, 'identity', 'unknown top-level element "Extra"'],
      ['a missing Statement', { Version: '2012-10-17' }, 'identity', 'Statement is required'],
      ['an empty Statement list', { Statement: [] }, 'identity', 'Statement must contain at least one statement'],
      ['an unknown statement element', { Statement: { ...allow, Effects: 'Allow' } }, 'identity', 'Statement: unknown element "Effects"'],
      ['a lower-case Effect', { Statement: [{ ...allow, Effect: 'allow' }] }, 'identity', 'Statement[0].Effect must be "Allow" or "Deny"'],
      ['a statement without Action', { Statement: [{ Effect: 'Allow', Resource: '*' }] }, 'identity', 'Statement[0] must have Action or NotAction'],
      [
        'both Action and NotAction',
        { Statement: [{ ...allow, NotAction: 'ecr:PutImage' }] },
        'identity',
        'Statement[0] must not have both Action and NotAction',
      ],
      [
        'an action without a service prefix',
        { Statement: [{ ...allow, Action: 'BatchGetImage' }] },
        'identity',
        'Statement[0].Action: "BatchGetImage" is not "*" or "service:ActionName"',
      ],
      ['an empty Action list', { Statement: [{ ...allow, Action: [] }] }, 'identity', 'Statement[0].Action must be a string or a non-empty array of strings'],
      [
        'an identity statement without Resource',
        { Statement: [{ Effect: 'Allow', Action: '*' }] },
        'identity',
        'Statement[0] must have Resource or NotResource in an identity-based policy',
      ],
      [
        'both Resource and NotResource',
        { Statement: [{ ...allow, NotResource: '*' }] },
        'identity',
        'Statement[0] must not have both Resource and NotResource',
      ],
      [
        'a Resource that is not an ARN',
        { Statement: [{ ...allow, Resource: 'team/app' }] },
        'identity',
        'Statement[0].Resource: "team/app" is not "*" or an ARN',
      ],
      [
        'Principal in an identity policy',
        { Statement: [{ ...allow, Principal: '*' }] },
        'identity',
        'Statement[0]: Principal is not allowed in an identity-based policy',
      ],
      [
        'NotPrincipal in an identity policy',
        { Statement: [{ ...allow, Effect: 'Deny', NotPrincipal: '*' }] },
        'identity',
        'Statement[0]: NotPrincipal is not allowed in an identity-based policy',
      ],
      [
        'a resource statement without Principal',
        { Statement: [{ Effect: 'Allow', Action: '*' }] },
        'resource',
        'Statement[0] must have Principal or NotPrincipal in a resource-based policy',
      ],
      [
        'NotPrincipal with Allow',
        { Statement: [{ Effect: 'Allow', NotPrincipal: { AWS: '111122223333' }, Action: '*' }] },
        'resource',
        'Statement[0]: NotPrincipal is only supported with "Effect": "Deny"',
      ],
      [
        'both Principal and NotPrincipal',
        { Statement: [{ ...pull, Effect: 'Deny', NotPrincipal: '*' }] },
        'resource',
        'Statement[0] must not have both Principal and NotPrincipal',
      ],
      [
        'a wildcard inside a principal ARN',
        { Statement: [{ ...pull, Principal: { AWS: 'arn:aws:iam::111122223333:user/*' } }] },
        'resource',
        'Statement[0].Principal.AWS: wildcards are not allowed in a principal ARN',
      ],
      [
        'a principal that is neither account nor ARN',
        { Statement: [{ ...pull, Principal: { AWS: 'alice' } }] },
        'resource',
        'Statement[0].Principal.AWS: "alice" is not an account id or an IAM principal ARN',
      ],
      ['an unknown principal type', { Statement: [{ ...pull, Principal: { IAM: '*' } }] }, 'resource', 'Statement[0].Principal: unknown principal type "IAM"'],
      [
        'a Principal that is a bare string other than "*"',
        { Statement: [{ ...pull, Principal: '111122223333' }] },
        'resource',
        'Statement[0].Principal must be "*" or an object',
      ],
      [
        'duplicate Sids',
        {
          Statement: [
            { Sid: 'A', ...allow },
            { Sid: 'A', ...allow },
          ],
        },
        'identity',
        'Statement[1].Sid "A" is not unique',
      ],
      [
        'a Sid with spaces in an identity policy',
        { Statement: [{ Sid: 'my sid', ...allow }] },
        'identity',
        'Statement[0].Sid "my sid" may contain only letters and digits',
      ],
      [
        'an unknown condition operator',
        { Statement: { ...allow, Condition: { StringMatches: { 'aws:username': 'a' } } } },
        'identity',
        'Statement.Condition: unknown condition operator "StringMatches"',
      ],
      [
        'an unknown set operator',
        { Statement: { ...allow, Condition: { 'ForEachValue:StringEquals': { 'aws:TagKeys': 'a' } } } },
        'identity',
        'Statement.Condition: unknown set operator "ForEachValue"',
      ],
      [
        'NullIfExists',
        { Statement: { ...allow, Condition: { NullIfExists: { 'aws:username': 'true' } } } },
        'identity',
        'Null takes neither IfExists nor a set operator',
      ],
      [
        'a condition key without a service prefix',
        { Statement: { ...allow, Condition: { StringEquals: { username: 'a' } } } },
        'identity',
        '"username" is not a condition key',
      ],
      [
        'a condition value that is an object',
        { Statement: { ...allow, Condition: { StringEquals: { 'aws:username': { a: 1 } } } } },
        'identity',
        'Statement.Condition.StringEquals.aws:username must be a string, number, boolean or a non-empty array of them',
      ],
      [
        'an empty condition operator block',
        { Statement: { ...allow, Condition: { StringEquals: {} } } },
        'identity',
        'Statement.Condition.StringEquals must be an object naming at least one condition key',
      ],
      [
        'a non-numeric Numeric value',
        { Statement: { ...allow, Condition: { NumericLessThan: { 'ecr:maxResults': 'ten' } } } },
        'identity',
        '"ten" is not a number',
      ],
      [
        'a malformed date',
        { Statement: { ...allow, Condition: { DateLessThan: { 'aws:CurrentTime': 'tomorrow' } } } },
        'identity',
        '"tomorrow" is not an ISO 8601 date or epoch time',
      ],
      [
        'a malformed CIDR',
        { Statement: { ...allow, Condition: { IpAddress: { 'aws:SourceIp': '10.0.0.0/33' } } } },
        'identity',
        '"10.0.0.0/33" is not an IPv4 or IPv6 address or CIDR block',
      ],
      [
        'a Bool value other than true/false',
        { Statement: { ...allow, Condition: { Bool: { 'aws:SecureTransport': 'yes' } } } },
        'identity',
        '"yes" is not true or false',
      ],
      [
        'a BinaryEquals value that is not base64',
        { Statement: { ...allow, Condition: { BinaryEquals: { 'ecr:token': 'not base64!' } } } },
        'identity',
        'is not base64',
      ],
    ])('%s', (_label, document, kind, message) => {
      const errors = errorsOf(document, kind);
      expect(errors).toEqual(expect.arrayContaining([expect.stringContaining(message)]));
    });

    it('reports every problem, not only the first', () => {
      const errors = errorsOf({ Version: '1', Statement: [{ Effect: 'Maybe', Action: 'x', Resource: 'y' }] });
      expect(errors).toEqual([
        'Version must be "2012-10-17" or "2008-10-17"',
        'Statement[0].Effect must be "Allow" or "Deny"',
        'Statement[0].Action: "x" is not "*" or "service:ActionName"',
        'Statement[0].Resource: "y" is not "*" or an ARN',
      ]);
    });

    it('a policy longer than the 10,240-character default', () => {
      const text = JSON.stringify({ Statement: allow, Id: 'x'.repeat(10_240) });
      expect(errorsOf(text)).toEqual([`policy is ${text.length} characters; the maximum is 10240`]);
    });
  });
});
