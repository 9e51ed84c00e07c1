import { evaluateLifecyclePolicy } from './evaluate-lifecycle-policy';
import { archive, daysAgo, image, NOW, outcome, policyText } from './lifecycle-spec-helpers';
import { parseLifecyclePolicy } from './parse-lifecycle-policy';

const untaggedKeep = (count: number) => ({ selection: { tagStatus: 'untagged', countType: 'imageCountMoreThan', countNumber: count } });
const anyOlderThan = (days: number, action?: object) => ({
  selection: { tagStatus: 'any', countType: 'sinceImagePushed', countUnit: 'days', countNumber: days },
  action,
});

describe('evaluateLifecyclePolicy: manifest lists', () => {
  it('never acts on an image a manifest list in the repository references, nor counts it', () => {
    const images = [image('index', 1, ['v1'], { children: ['sha256:amd64', 'sha256:arm64'] }), image('amd64', 5), image('arm64', 5), image('orphan', 9)];
    expect(outcome(policyText(untaggedKeep(1)), images)).toEqual([]);
    expect(outcome(policyText(anyOlderThan(2)), images)).toEqual(['orphan:EXPIRE@1']);
  });

  it('protects the children while the list stays, even when the list itself expires in the same run', () => {
    const images = [image('index', 10, [], { children: ['sha256:child'] }), image('child', 10)];
    expect(outcome(policyText(anyOlderThan(2)), images)).toEqual(['index:EXPIRE@1']);
  });

  it('releases the standard children of an archived list, but an archived list still protects archived children', () => {
    const archived = { storageClass: 'ARCHIVE' as const, lastArchivedAt: daysAgo(200) };
    const images = [
      image('index', 300, ['v1'], { ...archived, children: ['sha256:standard', 'sha256:archived'] }),
      image('standard', 300),
      image('archived', 300, [], archived),
    ];
    const text = policyText(anyOlderThan(30), {
      selection: { tagStatus: 'untagged', storageClass: 'archive', countType: 'sinceImageTransitioned', countUnit: 'days', countNumber: 90 },
    });
    expect(outcome(text, images)).toEqual(['standard:EXPIRE@1']);
  });
});

describe('evaluateLifecyclePolicy: referrers', () => {
  it('never selects a referrer by itself and expires it right after its subject, with the subject rule priority (depth first, oldest first)', () => {
    const images = [
      image('subject', 10, ['v1']),
      image('signature', 9, [], { subject: 'sha256:subject' }),
      image('sbom-signature', 8, [], { subject: 'sha256:sbom' }),
      image('sbom', 7, [], { subject: 'sha256:subject' }),
      image('kept', 1, ['v2']),
      image('kept-signature', 100, [], { subject: 'sha256:kept' }),
    ];
    const text = policyText(untaggedKeep(1), { selection: { tagStatus: 'tagged', tagPatternList: ['v*'], countType: 'imageCountMoreThan', countNumber: 1 } });
    expect(outcome(text, images)).toEqual(['subject:EXPIRE@2', 'signature:EXPIRE@2', 'sbom:EXPIRE@2', 'sbom-signature:EXPIRE@2']);
  });

  it('archives referrers with their subject', () => {
    const images = [image('subject', 40, ['v1']), image('signature', 39, [], { subject: 'sha256:subject' })];
    expect(outcome(policyText(anyOlderThan(30, archive)), images)).toEqual(['subject:TRANSITION>ARCHIVE@1', 'signature:TRANSITION>ARCHIVE@1']);
  });
});

describe('evaluateLifecyclePolicy: times', () => {
  it('treats "older than N days" strictly: an image pushed exactly N days ago stays', () => {
    const images = [image('exact', 14), image('older', 14.0001)];
    expect(outcome(policyText(anyOlderThan(14)), images)).toEqual(['older:EXPIRE@1']);
  });

  it('measures sinceImagePulled from the restore of an image not pulled since it was restored', () => {
    const text = policyText({ selection: { tagStatus: 'any', countType: 'sinceImagePulled', countUnit: 'days', countNumber: 30 }, action: archive });
    const images = [
      image('pulled-recently', 60, ['a'], { lastPulledAt: daysAgo(5) }),
      image('never-pulled', 60, ['b']),
      image('restored-not-pulled', 120, ['c'], { lastPulledAt: daysAgo(90), lastActivatedAt: daysAgo(70) }),
      image('restored-recently', 120, ['d'], { lastPulledAt: daysAgo(90), lastActivatedAt: daysAgo(2) }),
      image('pulled-after-restore', 120, ['e'], { lastPulledAt: daysAgo(3), lastActivatedAt: daysAgo(60) }),
    ];
    expect(outcome(text, images)).toEqual(['restored-not-pulled:TRANSITION>ARCHIVE@1', 'never-pulled:TRANSITION>ARCHIVE@1']);
  });

  it('orders and counts a restored image by its restore time instead of its push time', () => {
    const images = [image('restored', 100, ['v1'], { lastActivatedAt: daysAgo(1) }), image('recent', 10, ['v2'])];
    const text = policyText({ selection: { tagStatus: 'any', countType: 'imageCountMoreThan', countNumber: 1 } });
    expect(outcome(text, images)).toEqual(['recent:EXPIRE@1']);
  });

  it('expires by sinceImagePulled as a cargohold extension (ECR only transitions)', () => {
    const text = policyText({ selection: { tagStatus: 'any', countType: 'sinceImagePulled', countUnit: 'days', countNumber: 30 } });
    expect(outcome(text, [image('idle', 60, ['v1'], { lastPulledAt: daysAgo(31) }), image('busy', 60, ['v2'], { lastPulledAt: daysAgo(1) })])).toEqual([
      'idle:EXPIRE@1',
    ]);
  });

  it('never archives an archived image nor selects archived images in standard rules', () => {
    const images = [image('archived', 100, [], { storageClass: 'ARCHIVE', lastArchivedAt: daysAgo(50) }), image('standard', 100)];
    expect(outcome(policyText(anyOlderThan(30, archive)), images)).toEqual(['standard:TRANSITION>ARCHIVE@1']);
    expect(outcome(policyText(untaggedKeep(1)), [...images, image('newer', 1)])).toEqual(['standard:EXPIRE@1']);
  });
});

describe('evaluateLifecyclePolicy: ordering', () => {
  it('lists decisions by rule priority, then oldest first, ties broken by digest; input order does not matter', () => {
    const text = policyText(
      { selection: { tagStatus: 'tagged', tagPrefixList: ['rc'], countType: 'sinceImagePushed', countUnit: 'days', countNumber: 1 }, rulePriority: 5 },
      { selection: { tagStatus: 'untagged', countType: 'sinceImagePushed', countUnit: 'days', countNumber: 1 }, rulePriority: 2 },
    );
    const images = [image('u2', 3), image('rc-b', 9, ['rc-2']), image('u1', 7), image('rc-a', 9, ['rc-1']), image('u0', 3)];
    const expected = ['u1:EXPIRE@2', 'u0:EXPIRE@2', 'u2:EXPIRE@2', 'rc-a:EXPIRE@5', 'rc-b:EXPIRE@5'];
    expect(outcome(text, images)).toEqual(expected);
    expect(outcome(text, [...images].reverse())).toEqual(expected);
  });

  it('acts on each image once even when several rules mark it', () => {
    const [rule] = parseLifecyclePolicy(policyText(anyOlderThan(1, archive))).rules;
    if (!rule) throw new Error('no rule');
    const decisions = evaluateLifecyclePolicy({ rules: [rule, { ...rule, rulePriority: 9 }] }, [image('A', 5)], NOW);
    expect(decisions).toEqual([{ digest: 'sha256:A', action: 'TRANSITION', targetStorageClass: 'ARCHIVE', rulePriority: 1 }]);
  });
});
