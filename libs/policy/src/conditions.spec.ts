import { evaluate } from './evaluate';
import { ALICE, identityPolicy, policy, request, underCondition } from './spec-helpers';
import type { ContextValue } from './types';

type Row = [label: string, condition: Record<string, Record<string, unknown>>, context: Record<string, ContextValue>, holds: boolean];

const holds = (condition: Row[1], context: Row[2]) => underCondition(condition, context) === 'Allow';

describe('conditions', () => {
  describe('a key missing from the request context', () => {
    it.each<Row>([
      ['makes a positive operator false', { StringEquals: { 'aws:RequestTag/team': 'core' } }, {}, false],
      ['makes a negated operator true', { StringNotEquals: { 'aws:RequestTag/team': 'core' } }, {}, true],
      ['makes StringNotLike true', { StringNotLike: { 'aws:RequestTag/team': 'c*' } }, {}, true],
      ['makes ArnNotLike true', { ArnNotLike: { 'aws:SourceArn': 'arn:*:*:*:*:*' } }, {}, true],
      ['makes NotIpAddress true', { NotIpAddress: { 'aws:SourceIp': '10.0.0.0/8' } }, {}, true],
      ['makes NumericLessThan false', { NumericLessThan: { 'ecr:maxResults': 5 } }, {}, false],
      ['makes Bool false', { Bool: { 'aws:SecureTransport': 'false' } }, {}, false],
      ['makes …IfExists true', { StringEqualsIfExists: { 'aws:RequestTag/team': 'core' } }, {}, true],
      ['makes a negated …IfExists true', { StringNotEqualsIfExists: { 'aws:RequestTag/team': 'core' } }, {}, true],
      ['makes NumericLessThanIfExists true', { NumericLessThanIfExists: { 'ecr:maxResults': 5 } }, {}, true],
      ['makes ForAllValues true', { 'ForAllValues:StringEquals': { 'aws:TagKeys': ['team'] } }, {}, true],
      ['makes ForAllValues with a negated operator true', { 'ForAllValues:StringNotEquals': { 'aws:TagKeys': ['team'] } }, {}, true],
      ['makes ForAnyValue false', { 'ForAnyValue:StringEquals': { 'aws:TagKeys': ['team'] } }, {}, false],
      ['makes ForAnyValue with a negated operator false', { 'ForAnyValue:StringNotEquals': { 'aws:TagKeys': ['team'] } }, {}, false],
      ['makes ForAnyValue…IfExists false (the set operator decides)', { 'ForAnyValue:StringEqualsIfExists': { 'aws:TagKeys': ['team'] } }, {}, false],
      ['is the same as an empty list for ForAllValues', { 'ForAllValues:StringEquals': { 'aws:TagKeys': ['team'] } }, { 'aws:TagKeys': [] }, true],
      ['is the same as an empty list for ForAnyValue', { 'ForAnyValue:StringEquals': { 'aws:TagKeys': ['team'] } }, { 'aws:TagKeys': [] }, false],
    ])('%s', (_label, condition, context, expected) => {
      expect(holds(condition, context)).toBe(expected);
    });
  });

  describe('…IfExists with the key present', () => {
    it.each<Row>([
      [
        'checks the value like the plain operator (match)',
        { StringEqualsIfExists: { 'aws:RequestTag/team': 'core' } },
        { 'aws:RequestTag/team': 'core' },
        true,
      ],
      [
        'checks the value like the plain operator (mismatch)',
        { StringEqualsIfExists: { 'aws:RequestTag/team': 'core' } },
        { 'aws:RequestTag/team': 'ops' },
        false,
      ],
      ['works for IpAddress', { IpAddressIfExists: { 'aws:SourceIp': '10.0.0.0/8' } }, { 'aws:SourceIp': '192.0.2.1' }, false],
      ['works for Bool', { BoolIfExists: { 'aws:SecureTransport': 'true' } }, { 'aws:SecureTransport': true }, true],
      ['works for DateLessThan', { DateLessThanIfExists: { 'aws:CurrentTime': '2000-01-01' } }, { 'aws:CurrentTime': new Date() }, false],
      ['works for ArnLike', { ArnLikeIfExists: { 'aws:SourceArn': 'arn:aws:iam::*:role/*' } }, { 'aws:SourceArn': 'arn:aws:iam::1:role/x' }, true],
      ['works for BinaryEquals', { BinaryEqualsIfExists: { 'ecr:token': 'QQ==' } }, { 'ecr:token': 'QQ==' }, true],
    ])('%s', (_label, condition, context, expected) => {
      expect(holds(condition, context)).toBe(expected);
    });
  });

  describe('set operators over a multivalued key', () => {
    const tags = { 'aws:TagKeys': ['team', 'cost-center'] };
    it.each<Row>([
      [
        'ForAllValues holds when every request value is allowed',
        { 'ForAllValues:StringEquals': { 'aws:TagKeys': ['team', 'cost-center', 'env'] } },
        tags,
        true,
      ],
      ['ForAllValues fails when one request value is not allowed', { 'ForAllValues:StringEquals': { 'aws:TagKeys': ['team'] } }, tags, false],
      ['ForAnyValue holds when one request value is listed', { 'ForAnyValue:StringEquals': { 'aws:TagKeys': ['team'] } }, tags, true],
      ['ForAnyValue fails when none is listed', { 'ForAnyValue:StringEquals': { 'aws:TagKeys': ['owner'] } }, tags, false],
      [
        'ForAllValues:StringNotEquals requires every request value to be unlisted',
        { 'ForAllValues:StringNotEquals': { 'aws:TagKeys': ['team'] } },
        tags,
        false,
      ],
      ['ForAnyValue:StringNotEquals requires one request value to be unlisted', { 'ForAnyValue:StringNotEquals': { 'aws:TagKeys': ['team'] } }, tags, true],
      ['ForAllValues:StringLike takes wildcards', { 'ForAllValues:StringLike': { 'aws:TagKeys': ['t*', 'cost-*'] } }, tags, true],
      ['ForAnyValue:StringEqualsIgnoreCase ignores case', { 'ForAnyValue:StringEqualsIgnoreCase': { 'aws:TagKeys': ['TEAM'] } }, tags, true],
      ['a plain operator matches when any request value matches', { StringEquals: { 'aws:TagKeys': 'team' } }, tags, true],
      ['a plain negated operator fails when any request value matches', { StringNotEquals: { 'aws:TagKeys': 'team' } }, tags, false],
    ])('%s', (_label, condition, context, expected) => {
      expect(holds(condition, context)).toBe(expected);
    });
  });

  describe('combining', () => {
    const context = { 'aws:SourceIp': '10.1.1.1', 'aws:SecureTransport': true };
    it.each<Row>([
      ['keys under one operator are ANDed (all hold)', { StringEquals: { 'aws:username': 'alice', 'aws:PrincipalAccount': '111122223333' } }, context, true],
      ['keys under one operator are ANDed (one fails)', { StringEquals: { 'aws:username': 'alice', 'aws:PrincipalAccount': '999999999999' } }, context, false],
      ['operators are ANDed (all hold)', { IpAddress: { 'aws:SourceIp': '10.0.0.0/8' }, Bool: { 'aws:SecureTransport': 'true' } }, context, true],
      ['operators are ANDed (one fails)', { IpAddress: { 'aws:SourceIp': '10.0.0.0/8' }, Bool: { 'aws:SecureTransport': 'false' } }, context, false],
      ['values of one key are ORed', { StringEquals: { 'aws:username': ['bob', 'alice'] } }, context, true],
    ])('%s', (_label, condition, ctx, expected) => {
      expect(holds(condition, ctx)).toBe(expected);
    });
  });

  describe('keys derived from the principal', () => {
    it('fills aws:PrincipalArn, aws:PrincipalAccount and aws:username, overriding the caller', () => {
      const condition = {
        StringEquals: { 'aws:PrincipalArn': ALICE, 'aws:PrincipalAccount': '111122223333', 'aws:username': 'alice' },
      };
      expect(holds(condition, { 'aws:username': 'mallory', 'aws:principalarn': 'arn:aws:iam::1:user/m' })).toBe(true);
    });

    it('has no aws:username for a role session, even if the caller passes one', () => {
      const allow = identityPolicy({ Effect: 'Allow', Action: '*', Resource: '*', Condition: { Null: { 'aws:username': 'true' } } });
      const session = { accountId: '111122223333', arn: 'arn:aws:sts::111122223333:assumed-role/ci/build-7' };
      const context = { 'aws:username': 'spoofed' };
      expect(evaluate(request({ principal: session, context }), { identity: [allow] }).decision).toBe('Allow');
    });
  });

  describe('policy variables in condition values', () => {
    const statement = (values: unknown, operator = 'StringEquals') => ({
      Effect: 'Allow',
      Action: '*',
      Resource: '*',
      Condition: { [operator]: { 'ecr:ResourceTag/owner': values } },
    });
    const decide = (version: string | undefined, values: unknown, context: Record<string, ContextValue>, operator?: string) => {
      const document = policy('identity', { ...(version ? { Version: version } : {}), Statement: statement(values, operator) });
      return evaluate(request({ context }), { identity: [document] }).decision;
    };

    it.each<[string, string | undefined, unknown, Record<string, ContextValue>, string | undefined, string]>([
      ['substitutes ${aws:username}', '2012-10-17', '${aws:username}', { 'ecr:ResourceTag/owner': 'alice' }, undefined, 'Allow'],
      ['keeps ${…} literal in a 2008-10-17 policy', '2008-10-17', '${aws:username}', { 'ecr:ResourceTag/owner': 'alice' }, undefined, 'ImplicitDeny'],
      ['keeps ${…} literal when Version is omitted', undefined, '${aws:username}', { 'ecr:ResourceTag/owner': '${aws:username}' }, undefined, 'Allow'],
      ['uses the default of a key without a value', '2012-10-17', "${aws:userid, 'nobody'}", { 'ecr:ResourceTag/owner': 'nobody' }, undefined, 'Allow'],
      ['does not match when the variable has no value', '2012-10-17', '${aws:userid}', { 'ecr:ResourceTag/owner': '' }, undefined, 'ImplicitDeny'],
      [
        'makes a negated operator false when the variable has no value',
        '2012-10-17',
        '${aws:userid}',
        { 'ecr:ResourceTag/owner': 'x' },
        'StringNotEquals',
        'ImplicitDeny',
      ],
      ['treats ${*} as a literal star in StringLike', '2012-10-17', 'a${*}', { 'ecr:ResourceTag/owner': 'abc' }, 'StringLike', 'ImplicitDeny'],
      ['treats ${*} as a literal star (match)', '2012-10-17', 'a${*}', { 'ecr:ResourceTag/owner': 'a*' }, 'StringLike', 'Allow'],
      [
        'reads aws:userid from the context',
        '2012-10-17',
        'team-${aws:userid}',
        { 'ecr:ResourceTag/owner': 'team-AIDA1', 'aws:userid': 'AIDA1' },
        undefined,
        'Allow',
      ],
      [
        'reads aws:PrincipalAccount from the principal',
        '2012-10-17',
        '${aws:PrincipalAccount}',
        { 'ecr:ResourceTag/owner': '111122223333' },
        undefined,
        'Allow',
      ],
    ])('%s', (_label, version, values, context, operator, expected) => {
      expect(decide(version, values, context, operator)).toBe(expected);
    });
  });
});
