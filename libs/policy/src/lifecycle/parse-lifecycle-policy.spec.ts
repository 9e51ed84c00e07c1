import { LifecyclePolicyError, MAX_LIFECYCLE_POLICY_LENGTH } from './errors';
import { archive, policyText } from './lifecycle-spec-helpers';
import { parseLifecyclePolicy } from './parse-lifecycle-policy';
import { ONE_OF } from './schema';

type Selection = Record<string, unknown>;
const untagged: Selection = { tagStatus: 'untagged', countType: 'imageCountMoreThan', countNumber: 1 };
const tagged = (extra: Selection = {}): Selection => ({
  tagStatus: 'tagged',
  tagPrefixList: ['prod'],
  countType: 'imageCountMoreThan',
  countNumber: 5,
  ...extra,
});
const aged = (days: number, extra: Selection = {}): Selection => ({
  tagStatus: 'any',
  countType: 'sinceImagePushed',
  countUnit: 'days',
  countNumber: days,
  ...extra,
});
const archived = (days: number, extra: Selection = {}): Selection => ({
  tagStatus: 'any',
  storageClass: 'archive',
  countType: 'sinceImageTransitioned',
  countUnit: 'days',
  countNumber: days,
  ...extra,
});
const one = (selection: Selection, action?: object) => policyText({ selection, action });
const withRule = (rule: Record<string, unknown>) => JSON.stringify({ rules: [rule] });
const baseRule = { rulePriority: 1, selection: untagged, action: { type: 'expire' } };

function reasonFor(text: string): string {
  try {
    parseLifecyclePolicy(text);
  } catch (error) {
    if (error instanceof LifecyclePolicyError) return error.reason;
    throw error;
  }
  throw new Error('the policy was accepted');
}

describe('parseLifecyclePolicy', () => {
  describe('accepts', () => {
    it.each([
      ['an untagged count rule', one(untagged)],
      ['a tagged rule with a prefix list', one(tagged())],
      [
        'a tagged rule with a pattern list of up to four wildcards per entry',
        one(tagged({ tagPrefixList: undefined, tagPatternList: ['*test*1*2*3', 'test*1*2*3*'] })),
      ],
      ['an age rule that transitions to archive', one(aged(30), archive)],
      ['sinceImagePulled with transition', one(aged(90, { countType: 'sinceImagePulled' }), archive)],
      ['sinceImagePulled with expire (cargohold extension)', one(aged(90, { countType: 'sinceImagePulled' }))],
      ['sinceImageTransitioned on archive after 90 days', one(archived(90))],
      ['an explicit standard storage class', one(tagged({ storageClass: 'standard' }))],
      [
        'an any rule last in each storage class, and one untagged rule per storage class',
        policyText(
          { selection: { ...untagged } },
          { selection: archived(100, { tagStatus: 'untagged' }) },
          { selection: aged(10), action: archive },
          { selection: archived(365) },
        ),
      ],
      [
        'the same prefix list in different storage classes',
        policyText({ selection: tagged() }, { selection: archived(90, { tagStatus: 'tagged', tagPrefixList: ['prod'] }) }),
      ],
      [
        'a prefix list and a pattern list with the same text',
        policyText({ selection: tagged() }, { selection: tagged({ tagPrefixList: undefined, tagPatternList: ['prod'] }) }),
      ],
    ])('%s', (_name, text) => {
      expect(() => parseLifecyclePolicy(text)).not.toThrow();
    });

    it('sorts the rules by priority and fills in the storage class', () => {
      const text = policyText({ selection: aged(30), rulePriority: 20 }, { selection: tagged(), rulePriority: 3 });
      const policy = parseLifecyclePolicy(text);
      expect(policy.rules.map((r) => r.rulePriority)).toEqual([3, 20]);
      expect(policy.rules[0]).toEqual({
        rulePriority: 3,
        description: 'Rule 2',
        selection: { tagStatus: 'tagged', tagPrefixList: ['prod'], storageClass: 'STANDARD', countType: 'imageCountMoreThan', countNumber: 5 },
        action: { type: 'expire' },
      });
      expect(parseLifecyclePolicy(one(archived(90))).rules[0]?.selection.storageClass).toBe('ARCHIVE');
    });
  });

  describe('rejects, with ECR wording', () => {
    it.each([
      ['text that is not JSON', '{"rules": [', 'Could not map policyString into LifecyclePolicy.'],
      ['JSON that is not an object', '[]', 'Could not map policyString into LifecyclePolicy.'],
      ['a policy without rules', '{}', 'object has missing required properties (["rules"])'],
      ['an unknown top-level field', '{"rules":[],"version":1}', 'object instance has properties which are not allowed by the schema: (["version"])'],
      ['rules that are not an array', '{"rules":{}}', 'instance type (object) does not match any allowed primitive type (allowed: ["array"])'],
      ['an empty rule list', '{"rules":[]}', 'array is too short: must have at least 1 elements but instance has 0 elements'],
      [
        'more than 50 rules',
        policyText(...Array.from({ length: 51 }, (_, i) => ({ selection: tagged({ tagPrefixList: [`p${i}`] }) }))),
        'array is too long: must have at most 50 elements but instance has 51 elements',
      ],
      ['a rule that is not an object', '{"rules":["x"]}', 'instance type (string) does not match any allowed primitive type (allowed: ["object"])'],
      ['a rule missing its parts', '{"rules":[{"rulePriority":1}]}', 'object has missing required properties (["action","selection"])'],
      ['an unknown rule field', withRule({ ...baseRule, id: 'x' }), 'object instance has properties which are not allowed by the schema: (["id"])'],
      [
        'a fractional rulePriority',
        withRule({ ...baseRule, rulePriority: 1.5 }),
        'instance type (number) does not match any allowed primitive type (allowed: ["integer"])',
      ],
      ['a zero rulePriority', withRule({ ...baseRule, rulePriority: 0 }), 'numeric instance is lower than the required minimum (minimum: 1, found: 0)'],
      [
        'a description that is not a string',
        withRule({ ...baseRule, description: 7 }),
        'instance type (integer) does not match any allowed primitive type (allowed: ["string"])',
      ],
      [
        'a selection missing countNumber',
        one({ tagStatus: 'untagged', countType: 'imageCountMoreThan' }),
        'object has missing required properties (["countNumber"])',
      ],
      [
        'an unknown selection field',
        one({ ...untagged, tagSuffixList: ['x'] }),
        'object instance has properties which are not allowed by the schema: (["tagSuffixList"])',
      ],
      [
        'an unknown tagStatus',
        one({ ...untagged, tagStatus: 'TAGGED' }),
        'instance value ("TAGGED") not found in enum (possible values: ["any","tagged","untagged"])',
      ],
      ['an unknown countType', one({ ...untagged, countType: 'imageCountLessThan' }), ONE_OF],
      ['countUnit with imageCountMoreThan', one({ ...untagged, countUnit: 'days' }), ONE_OF],
      ['an age rule without countUnit', one(aged(3, { countUnit: undefined })), ONE_OF],
      ['a countUnit other than days', one(aged(3, { countUnit: 'hours' })), ONE_OF],
      ['a null field in a selection', one(aged(3, { storageClass: null })), ONE_OF],
      ['an unknown storage class', one(tagged({ storageClass: 'glacier' })), ONE_OF],
      ['a zero countNumber', one({ ...untagged, countNumber: 0 }), 'numeric instance is lower than the required minimum (minimum: 1, found: 0)'],
      [
        'a countNumber given as a string',
        one({ ...untagged, countNumber: '5' }),
        'instance type (string) does not match any allowed primitive type (allowed: ["integer"])',
      ],
      ['an empty tag list', one(tagged({ tagPrefixList: [] })), 'array is too short: must have at least 1 elements but instance has 0 elements'],
      ['an empty tag list entry', one(tagged({ tagPrefixList: [''] })), 'string "" is too short (length: 0, required minimum: 1)'],
      [
        'a tag list entry that is not a string',
        one(tagged({ tagPrefixList: [1] })),
        'instance type (integer) does not match any allowed primitive type (allowed: ["string"])',
      ],
      ['an action missing its type', one(untagged, {}), 'object has missing required properties (["type"])'],
      ['an unknown action field', one(untagged, { type: 'expire', days: 1 }), 'object instance has properties which are not allowed by the schema: (["days"])'],
      ['an unknown action type', one(untagged, { type: 'delete' }), ONE_OF],
      ['transition without a target', one(aged(3), { type: 'transition' }), ONE_OF],
      ['transition to standard', one(aged(3), { type: 'transition', targetStorageClass: 'standard' }), ONE_OF],
      ['expire with a target', one(aged(3), { type: 'expire', targetStorageClass: 'archive' }), ONE_OF],
      ['a null target', one(aged(3), { type: 'expire', targetStorageClass: null }), ONE_OF],
    ])('%s', (_name, text, reason) => {
      expect(reasonFor(text)).toBe(reason);
    });

    it.each([
      ['tagged without a tag list', one(tagged({ tagPrefixList: undefined })), 'Must specify tagPrefixList or tagPatternList when tagStatus=TAGGED.'],
      ['both tag lists in one rule', one(tagged({ tagPatternList: ['prod*'] })), 'A rule may specify either tagPrefixList or tagPatternList, but not both.'],
      [
        'a tag list on an untagged rule',
        one({ ...untagged, tagPrefixList: ['x'] }),
        'tagPrefixList and tagPatternList may only be used when tagStatus=TAGGED.',
      ],
      ['a tag list on an any rule', one(aged(3, { tagPatternList: ['x*'] })), 'tagPrefixList and tagPatternList may only be used when tagStatus=TAGGED.'],
      [
        'a pattern with five wildcards',
        one(tagged({ tagPrefixList: undefined, tagPatternList: ['ok*', 'test*1*2*3*4*5*6'] })),
        'tagPatternList entry "test*1*2*3*4*5*6" has more than the maximum of 4 wildcards (*).',
      ],
      [
        'sinceImageTransitioned on standard images',
        one(archived(90, { storageClass: undefined })),
        'storageClass=ARCHIVE is required when countType=sinceImageTransitioned.',
      ],
      ['sinceImageTransitioned with transition', one(archived(90), archive), 'countType=sinceImageTransitioned can only be used with action type=EXPIRE.'],
      [
        'sinceImageTransitioned under 90 days',
        one(archived(89)),
        'countNumber must be at least 90 when countType=sinceImageTransitioned: archived images have a minimum storage duration of 90 days.',
      ],
      [
        'an archive rule counting images',
        one(tagged({ storageClass: 'archive' })),
        'storageClass=ARCHIVE can only be used with countType=sinceImageTransitioned.',
      ],
      [
        'an archive rule by push age',
        one(aged(100, { storageClass: 'archive' })),
        'storageClass=ARCHIVE can only be used with countType=sinceImageTransitioned.',
      ],
      [
        'two rules with one priority',
        policyText({ selection: untagged, rulePriority: 4 }, { selection: tagged(), rulePriority: 4 }),
        'Each rule must have a unique rulePriority; 4 is used more than once.',
      ],
      [
        'two untagged rules',
        policyText({ selection: untagged }, { selection: { ...untagged, countNumber: 3 } }),
        'Only one rule can select Untagged images per storage class.',
      ],
      [
        'an any rule before another rule',
        policyText({ selection: aged(3) }, { selection: tagged() }),
        'Rule for tagStatus=ANY must have the lowest priority per storage class',
      ],
      ['two any rules', policyText({ selection: aged(3) }, { selection: aged(5) }), 'Rule for tagStatus=ANY must have the lowest priority per storage class'],
      [
        'an archive any rule before another archive rule',
        policyText({ selection: archived(100) }, { selection: archived(200, { tagStatus: 'untagged' }) }),
        'Rule for tagStatus=ANY must have the lowest priority per storage class',
      ],
      [
        'two rules with the same prefixes in one storage class',
        policyText(
          { selection: tagged({ tagPrefixList: ['a', 'b'] }) },
          { selection: tagged({ tagPrefixList: ['b', 'a'], countType: 'sinceImagePushed', countUnit: 'days' }) },
        ),
        'The rules selecting a storage class must contain a unique set of tag prefixes and patterns.',
      ],
    ])('%s', (_name, text, reason) => {
      expect(reasonFor(text)).toBe(reason);
    });

    it('frames the reason as ECR InvalidParameterException message, for another parameter too', () => {
      const error = (() => {
        try {
          parseLifecyclePolicy(one({ ...untagged, countNumber: 0 }));
        } catch (caught) {
          return caught as LifecyclePolicyError;
        }
        throw new Error('accepted');
      })();
      expect(error.message).toBe(
        "Invalid parameter at 'LifecyclePolicyText' failed to satisfy constraint: 'Lifecycle policy validation failure: numeric instance is lower than the required minimum (minimum: 1, found: 0)'",
      );
      expect(error.forParameter('lifecyclePolicy')).toBe(
        "Invalid parameter at 'lifecyclePolicy' failed to satisfy constraint: 'Lifecycle policy validation failure: numeric instance is lower than the required minimum (minimum: 1, found: 0)'",
      );
    });

    it(`refuses text longer than ${MAX_LIFECYCLE_POLICY_LENGTH} characters before parsing it`, () => {
      const text = one({ ...untagged }).replace('"Rule 1"', JSON.stringify('x'.repeat(MAX_LIFECYCLE_POLICY_LENGTH)));
      expect(() => parseLifecyclePolicy(text)).toThrow(
        "Invalid parameter at 'LifecyclePolicyText' failed to satisfy constraint: 'Member must have length less than or equal to 30720'",
      );
      const fits = one({ ...untagged }).replace('"Rule 1"', JSON.stringify('x'.repeat(MAX_LIFECYCLE_POLICY_LENGTH - 200)));
      expect(fits.length).toBeLessThanOrEqual(MAX_LIFECYCLE_POLICY_LENGTH);
      expect(() => parseLifecyclePolicy(fits)).not.toThrow();
    });
  });
});
