import { archive, daysAgo, image, outcome, policyText } from './lifecycle-spec-helpers';

/**
 * Every example on ECR's "Examples of lifecycle policies" page, with the result the page states.
 * The page's multi-rule and multi-tag examples are given twice, as it shows them today (tagPatternList)
 * and as it showed them before tag patterns existed (tagPrefixList); both must agree.
 */
describe('evaluateLifecyclePolicy: ECR documentation examples', () => {
  const listKinds = [
    ['tagPatternList', (word: string) => `${word}*`],
    ['tagPrefixList', (word: string) => word],
  ] as const;

  describe('filtering on image age', () => {
    it('expires images with a tag matching prod* older than 14 days', () => {
      const text = policyText({
        selection: { tagStatus: 'tagged', tagPatternList: ['prod*'], countType: 'sinceImagePushed', countUnit: 'days', countNumber: 14 },
      });
      const images = [image('A', 20, ['prod-1']), image('B', 10, ['prod-2']), image('C', 30, ['dev-1']), image('D', 40)];
      expect(outcome(text, images)).toEqual(['A:EXPIRE@1']);
    });

    it('expires untagged images older than 14 days (the earlier version of the example)', () => {
      const text = policyText({ selection: { tagStatus: 'untagged', countType: 'sinceImagePushed', countUnit: 'days', countNumber: 14 } });
      const images = [image('A', 20), image('B', 10), image('C', 30, ['v1'])];
      expect(outcome(text, images)).toEqual(['A:EXPIRE@1']);
    });
  });

  describe('filtering on last pulled time', () => {
    it('archives images not pulled in 90 days, using the push time for images never pulled', () => {
      const text = policyText({ selection: { tagStatus: 'any', countType: 'sinceImagePulled', countUnit: 'days', countNumber: 90 }, action: archive });
      const images = [
        image('A', 200, ['old-pull'], { lastPulledAt: daysAgo(100) }),
        image('B', 120),
        image('C', 200, ['recent-pull'], { lastPulledAt: daysAgo(10) }),
        image('D', 30),
      ];
      // Ordered by push time, oldest first, whatever the pull times.
      expect(outcome(text, images)).toEqual(['A:TRANSITION>ARCHIVE@1', 'B:TRANSITION>ARCHIVE@1']);
    });
  });

  describe('filtering on archive transition time', () => {
    it('expires images archived for more than 365 days and nothing in standard storage', () => {
      const text = policyText({
        selection: { tagStatus: 'any', storageClass: 'archive', countType: 'sinceImageTransitioned', countUnit: 'days', countNumber: 365 },
      });
      const archived = (days: number) => ({ storageClass: 'ARCHIVE' as const, lastArchivedAt: daysAgo(days) });
      const images = [image('A', 500, ['v1'], archived(400)), image('B', 500, ['v2'], archived(100)), image('C', 1000, ['v3'])];
      expect(outcome(text, images)).toEqual(['A:EXPIRE@1']);
    });
  });

  describe('filtering on image count', () => {
    it('keeps only one untagged image and expires all others', () => {
      const text = policyText({ selection: { tagStatus: 'untagged', countType: 'imageCountMoreThan', countNumber: 1 } });
      const images = [image('A', 3), image('B', 2), image('C', 1), image('D', 5, ['latest'])];
      expect(outcome(text, images)).toEqual(['A:EXPIRE@1', 'B:EXPIRE@1']);
    });
  });

  describe.each(listKinds)('filtering on multiple rules (%s)', (list, entry) => {
    const images = [image('A', 10, ['beta-1', 'prod-1']), image('B', 9, ['beta-2', 'prod-2']), image('C', 8, ['beta-3'])];
    const keepOne = (word: string) => ({ selection: { tagStatus: 'tagged', [list]: [entry(word)], countType: 'imageCountMoreThan', countNumber: 1 } });

    it('example A: prod then beta expires image A only (B matched rule 1, so rule 2 cannot expire it)', () => {
      expect(outcome(policyText(keepOne('prod'), keepOne('beta')), images)).toEqual(['A:EXPIRE@1']);
    });

    it('example B: beta then prod expires images A and B', () => {
      expect(outcome(policyText(keepOne('beta'), keepOne('prod')), images)).toEqual(['A:EXPIRE@1', 'B:EXPIRE@1']);
    });
  });

  describe.each(listKinds)('filtering on multiple tags in a single rule (%s)', (list, entry) => {
    it('example A: only images with all listed tags are selected; image C is expired', () => {
      const text = policyText({
        selection: { tagStatus: 'tagged', [list]: [entry('alpha'), entry('beta')], countType: 'sinceImagePushed', countNumber: 5, countUnit: 'days' },
      });
      const images = [
        image('A', 12, ['alpha-1']),
        image('B', 11, ['beta-1']),
        image('C', 10, ['alpha-2', 'beta-2']),
        image('D', 4, ['alpha-3']),
        image('E', 3, ['beta-3']),
        image('F', 2, ['alpha-4', 'beta-4']),
      ];
      expect(outcome(text, images)).toEqual(['C:EXPIRE@1']);
    });

    it('example B: tags are not exclusive; images A and B are expired', () => {
      const text = policyText({ selection: { tagStatus: 'tagged', [list]: [entry('alpha'), entry('beta')], countType: 'imageCountMoreThan', countNumber: 1 } });
      const images = [image('A', 10, ['alpha-1', 'beta-1', 'gamma-1']), image('B', 9, ['alpha-2', 'beta-2']), image('C', 8, ['alpha-3', 'beta-3', 'gamma-2'])];
      expect(outcome(text, images)).toEqual(['A:EXPIRE@1', 'B:EXPIRE@1']);
    });
  });

  describe('filtering on all images', () => {
    it('example A: keeps only the newest image of all; A, B and C are expired', () => {
      const text = policyText({ selection: { tagStatus: 'any', countType: 'imageCountMoreThan', countNumber: 1 } });
      const images = [image('A', 4, ['alpha-1']), image('B', 3, ['beta-1']), image('C', 2), image('D', 1, ['alpha-2'])];
      expect(outcome(text, images)).toEqual(['A:EXPIRE@1', 'B:EXPIRE@1', 'C:EXPIRE@1']);
    });

    it('example B: all rule types together expire A, B and D', () => {
      const text = policyText(
        { selection: { tagStatus: 'tagged', tagPatternList: ['alpha*'], countType: 'imageCountMoreThan', countNumber: 1 } },
        { selection: { tagStatus: 'untagged', countType: 'sinceImagePushed', countUnit: 'days', countNumber: 1 } },
        { selection: { tagStatus: 'any', countType: 'imageCountMoreThan', countNumber: 1 } },
      );
      // D and E were both pushed "1 day ago"; E is the newer of the two, as the page's reasoning needs.
      const images = [image('A', 4, ['alpha-1', 'beta-1']), image('B', 3), image('C', 2, ['alpha-2']), image('D', 1.001, ['git hash']), image('E', 1)];
      expect(outcome(text, images)).toEqual(['A:EXPIRE@1', 'B:EXPIRE@2', 'D:EXPIRE@3']);
    });
  });

  describe('archive examples', () => {
    it('archives images tagged prod* older than 30 days', () => {
      const text = policyText({
        selection: { tagStatus: 'tagged', tagPatternList: ['prod*'], countType: 'sinceImagePushed', countUnit: 'days', countNumber: 30 },
        action: archive,
      });
      const images = [image('A', 31, ['prod-1']), image('B', 29, ['prod-2']), image('C', 60, ['test-1'])];
      expect(outcome(text, images)).toEqual(['A:TRANSITION>ARCHIVE@1']);
    });

    it('archives images older than 30 days, then expires those archived for more than 365 days', () => {
      const text = policyText(
        { selection: { tagStatus: 'any', countType: 'sinceImagePushed', countUnit: 'days', countNumber: 30 }, action: archive },
        { selection: { tagStatus: 'any', storageClass: 'archive', countType: 'sinceImageTransitioned', countUnit: 'days', countNumber: 365 } },
      );
      const archived = (days: number) => ({ storageClass: 'ARCHIVE' as const, lastArchivedAt: daysAgo(days) });
      const images = [image('A', 40), image('B', 10), image('C', 900, [], archived(366)), image('D', 900, ['v1'], archived(200))];
      expect(outcome(text, images)).toEqual(['A:TRANSITION>ARCHIVE@1', 'C:EXPIRE@2']);
    });
  });
});
