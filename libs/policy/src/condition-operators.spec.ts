import { underCondition } from './spec-helpers';
import type { ContextValue } from './types';

type Row = [label: string, condition: Record<string, Record<string, unknown>>, context: Record<string, ContextValue>, holds: boolean];

function describeOperators(family: string, rows: Row[]): void {
  describe(family, () => {
    it.each(rows)('%s', (_label, condition, context, holds) => {
      expect(underCondition(condition, context)).toBe(holds ? 'Allow' : 'ImplicitDeny');
    });
  });
}

describe('condition operators', () => {
  describeOperators('String', [
    ['StringEquals matches exactly', { StringEquals: { 'aws:username': 'alice' } }, {}, true],
    ['StringEquals is case-sensitive', { StringEquals: { 'ecr:ResourceTag/team': 'Core' } }, { 'ecr:ResourceTag/team': 'core' }, false],
    ['StringEquals takes * literally', { StringEquals: { 'ecr:ResourceTag/team': 'c*' } }, { 'ecr:ResourceTag/team': 'core' }, false],
    ['StringEquals ORs the policy values', { StringEquals: { 'ecr:ResourceTag/team': ['ops', 'core'] } }, { 'ecr:ResourceTag/team': 'core' }, true],
    ['StringNotEquals holds when no value matches', { StringNotEquals: { 'ecr:ResourceTag/team': ['ops', 'sec'] } }, { 'ecr:ResourceTag/team': 'core' }, true],
    [
      'StringNotEquals fails when any value matches',
      { StringNotEquals: { 'ecr:ResourceTag/team': ['ops', 'core'] } },
      { 'ecr:ResourceTag/team': 'core' },
      false,
    ],
    ['StringEqualsIgnoreCase ignores case', { StringEqualsIgnoreCase: { 'ecr:ResourceTag/team': 'CORE' } }, { 'ecr:ResourceTag/team': 'core' }, true],
    ['StringNotEqualsIgnoreCase ignores case', { StringNotEqualsIgnoreCase: { 'ecr:ResourceTag/team': 'CORE' } }, { 'ecr:ResourceTag/team': 'core' }, false],
    ['StringLike supports *', { StringLike: { 'ecr:ResourceTag/team': 'co*' } }, { 'ecr:ResourceTag/team': 'core' }, true],
    ['StringLike supports ?', { StringLike: { 'ecr:ResourceTag/team': 'c?re' } }, { 'ecr:ResourceTag/team': 'core' }, true],
    ['StringLike is case-sensitive', { StringLike: { 'ecr:ResourceTag/team': 'CO*' } }, { 'ecr:ResourceTag/team': 'core' }, false],
    ['StringNotLike holds when no pattern matches', { StringNotLike: { 'ecr:ResourceTag/team': 'ops*' } }, { 'ecr:ResourceTag/team': 'core' }, true],
    ['StringNotLike fails when a pattern matches', { StringNotLike: { 'ecr:ResourceTag/team': ['ops*', 'c*'] } }, { 'ecr:ResourceTag/team': 'core' }, false],
    ['condition key names are case-insensitive', { StringEquals: { 'ECR:RESOURCETAG/TEAM': 'core' } }, { 'ecr:ResourceTag/team': 'core' }, true],
  ]);

  describeOperators('Numeric', [
    ['NumericEquals', { NumericEquals: { 'ecr:maxResults': '10' } }, { 'ecr:maxResults': 10 }, true],
    ['NumericEquals compares numbers, not text', { NumericEquals: { 'ecr:maxResults': '10.0' } }, { 'ecr:maxResults': '10' }, true],
    ['NumericNotEquals', { NumericNotEquals: { 'ecr:maxResults': 10 } }, { 'ecr:maxResults': 11 }, true],
    ['NumericLessThan', { NumericLessThan: { 'ecr:maxResults': 10 } }, { 'ecr:maxResults': 10 }, false],
    ['NumericLessThanEquals', { NumericLessThanEquals: { 'ecr:maxResults': 10 } }, { 'ecr:maxResults': 10 }, true],
    ['NumericGreaterThan', { NumericGreaterThan: { 'ecr:maxResults': 10 } }, { 'ecr:maxResults': 10.5 }, true],
    ['NumericGreaterThanEquals', { NumericGreaterThanEquals: { 'ecr:maxResults': 10 } }, { 'ecr:maxResults': 9 }, false],
    ['a non-numeric request value never matches', { NumericLessThan: { 'ecr:maxResults': 10 } }, { 'ecr:maxResults': 'ten' }, false],
  ]);

  const noon = new Date('2030-06-01T12:00:00Z');
  describeOperators('Date', [
    ['DateEquals with ISO 8601', { DateEquals: { 'aws:CurrentTime': '2030-06-01T12:00:00Z' } }, { 'aws:CurrentTime': noon }, true],
    ['DateEquals with epoch seconds', { DateEquals: { 'aws:CurrentTime': String(noon.getTime() / 1000) } }, { 'aws:CurrentTime': noon }, true],
    ['DateEquals honours offsets', { DateEquals: { 'aws:CurrentTime': '2030-06-01T14:00:00+02:00' } }, { 'aws:CurrentTime': noon }, true],
    ['DateNotEquals', { DateNotEquals: { 'aws:CurrentTime': '2030-06-01T12:00:01Z' } }, { 'aws:CurrentTime': noon }, true],
    ['DateLessThan', { DateLessThan: { 'aws:CurrentTime': '2030-06-01T12:00:00Z' } }, { 'aws:CurrentTime': noon }, false],
    ['DateLessThanEquals', { DateLessThanEquals: { 'aws:CurrentTime': '2030-06-01T12:00:00Z' } }, { 'aws:CurrentTime': noon }, true],
    ['DateGreaterThan', { DateGreaterThan: { 'aws:CurrentTime': '2030-01-01' } }, { 'aws:CurrentTime': noon }, true],
    ['DateGreaterThanEquals', { DateGreaterThanEquals: { 'aws:CurrentTime': '2031-01-01T00:00:00Z' } }, { 'aws:CurrentTime': noon }, false],
    [
      'a request date given as an ISO string',
      { DateLessThan: { 'aws:CurrentTime': '2031-01-01T00:00:00Z' } },
      { 'aws:CurrentTime': '2030-06-01T12:00:00Z' },
      true,
    ],
    ['a request date given as epoch seconds', { DateLessThan: { 'aws:EpochTime': '2031-01-01T00:00:00Z' } }, { 'aws:EpochTime': noon.getTime() / 1000 }, true],
  ]);

  describeOperators('Bool', [
    ['Bool true against true', { Bool: { 'aws:SecureTransport': 'true' } }, { 'aws:SecureTransport': true }, true],
    ['Bool true against false', { Bool: { 'aws:SecureTransport': 'true' } }, { 'aws:SecureTransport': false }, false],
    ['Bool accepts JSON booleans and string request values', { Bool: { 'aws:SecureTransport': false } }, { 'aws:SecureTransport': 'false' }, true],
    ['Bool ignores the case of true/false', { Bool: { 'aws:SecureTransport': 'True' } }, { 'aws:SecureTransport': 'TRUE' }, true],
  ]);

  describeOperators('Binary', [
    ['BinaryEquals compares decoded bytes', { BinaryEquals: { 'ecr:token': 'QmluYXJ5' } }, { 'ecr:token': 'QmluYXJ5' }, true],
    ['BinaryEquals rejects other bytes', { BinaryEquals: { 'ecr:token': 'QmluYXJ5' } }, { 'ecr:token': 'QmluYXJ6' }, false],
    ['BinaryEquals never matches request text that is not base64', { BinaryEquals: { 'ecr:token': 'QmluYXJ5' } }, { 'ecr:token': '!!' }, false],
  ]);

  describeOperators('IpAddress', [
    ['IPv4 inside the block', { IpAddress: { 'aws:SourceIp': '203.0.113.0/24' } }, { 'aws:SourceIp': '203.0.113.77' }, true],
    ['IPv4 outside the block', { IpAddress: { 'aws:SourceIp': '203.0.113.0/24' } }, { 'aws:SourceIp': '203.0.114.1' }, false],
    ['a bare address is a /32', { IpAddress: { 'aws:SourceIp': '198.51.100.7' } }, { 'aws:SourceIp': '198.51.100.7' }, true],
    ['IPv6 inside the block', { IpAddress: { 'aws:SourceIp': '2001:DB8:1234:5678::/64' } }, { 'aws:SourceIp': '2001:db8:1234:5678:abcd::1' }, true],
    ['IPv6 outside the block', { IpAddress: { 'aws:SourceIp': '2001:db8:1234:5678::/64' } }, { 'aws:SourceIp': '2001:db8:1234:5679::1' }, false],
    ['an IPv4 block never contains an IPv6 address', { IpAddress: { 'aws:SourceIp': '0.0.0.0/0' } }, { 'aws:SourceIp': '2001:db8::1' }, false],
    ['IPv4-mapped IPv6 is compared as IPv4', { IpAddress: { 'aws:SourceIp': '10.0.0.0/8' } }, { 'aws:SourceIp': '::ffff:10.1.2.3' }, true],
    ['the values are ORed', { IpAddress: { 'aws:SourceIp': ['10.0.0.0/8', '2001:db8::/32'] } }, { 'aws:SourceIp': '2001:db8::5' }, true],
    ['NotIpAddress outside every block', { NotIpAddress: { 'aws:SourceIp': ['10.0.0.0/8', '2001:db8::/32'] } }, { 'aws:SourceIp': '192.0.2.1' }, true],
    ['NotIpAddress inside a block', { NotIpAddress: { 'aws:SourceIp': ['10.0.0.0/8'] } }, { 'aws:SourceIp': '10.9.9.9' }, false],
  ]);

  const role = 'arn:aws:iam::111122223333:role/ci';
  describeOperators('Arn', [
    ['ArnEquals matches an identical ARN', { ArnEquals: { 'aws:SourceArn': role } }, { 'aws:SourceArn': role }, true],
    ['ArnLike matches wildcards component by component', { ArnLike: { 'aws:SourceArn': 'arn:aws:iam::*:role/*' } }, { 'aws:SourceArn': role }, true],
    ['ArnEquals also honours wildcards', { ArnEquals: { 'aws:SourceArn': 'arn:aws:iam::111122223333:role/c?' } }, { 'aws:SourceArn': role }, true],
    ['a wildcard never crosses a component boundary', { ArnLike: { 'aws:SourceArn': 'arn:aws:*:role/ci' } }, { 'aws:SourceArn': role }, false],
    ['ArnLike is case-sensitive', { ArnLike: { 'aws:SourceArn': 'arn:aws:iam::*:role/CI' } }, { 'aws:SourceArn': role }, false],
    ['a request value that is not an ARN never matches', { ArnLike: { 'aws:SourceArn': '*' } }, { 'aws:SourceArn': 'ci' }, false],
    ['ArnNotEquals', { ArnNotEquals: { 'aws:SourceArn': 'arn:aws:iam::111122223333:role/other' } }, { 'aws:SourceArn': role }, true],
    ['ArnNotLike', { ArnNotLike: { 'aws:SourceArn': 'arn:aws:iam::*:role/c*' } }, { 'aws:SourceArn': role }, false],
  ]);

  describeOperators('Null', [
    ['Null true holds when the key is absent', { Null: { 'aws:TokenIssueTime': 'true' } }, {}, true],
    ['Null true fails when the key is present', { Null: { 'aws:TokenIssueTime': 'true' } }, { 'aws:TokenIssueTime': '2030-01-01T00:00:00Z' }, false],
    ['Null false holds when the key is present', { Null: { 'aws:TokenIssueTime': false } }, { 'aws:TokenIssueTime': '2030-01-01T00:00:00Z' }, true],
    ['Null false fails when the key is absent', { Null: { 'aws:TokenIssueTime': 'false' } }, {}, false],
    ['an empty list counts as absent', { Null: { 'aws:TagKeys': 'true' } }, { 'aws:TagKeys': [] }, true],
  ]);
});
