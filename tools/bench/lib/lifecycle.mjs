// Lifecycle policy evaluation: libs/policy's evaluateLifecyclePolicy (bundled on the fly like the scanner
// engine) over a synthetic repository of N images and a 5-rule policy, next to a bare sort of the same
// records by pushedAt in the same process, the floor any evaluator that orders images pays.
import { bundleAndImport } from './bundle.mjs';

const DAY_MS = 86_400_000;

async function policyLib() {
  return bundleAndImport('policy', 'libs/policy/src/index.ts');
}

/** The kind of policy a busy repository carries: releases, branch builds, pull requests, untagged, a catch-all. */
const POLICY = JSON.stringify({
  rules: [
    {
      rulePriority: 1,
      selection: { tagStatus: 'tagged', tagPatternList: ['v*.*.*'], countType: 'imageCountMoreThan', countNumber: 500 },
      action: { type: 'expire' },
    },
    {
      rulePriority: 2,
      selection: { tagStatus: 'tagged', tagPatternList: ['main-*-sha-*'], countType: 'sinceImagePushed', countUnit: 'days', countNumber: 30 },
      action: { type: 'transition', targetStorageClass: 'archive' },
    },
    {
      rulePriority: 3,
      selection: { tagStatus: 'tagged', tagPrefixList: ['pr-'], countType: 'sinceImagePulled', countUnit: 'days', countNumber: 14 },
      action: { type: 'transition', targetStorageClass: 'archive' },
    },
    { rulePriority: 4, selection: { tagStatus: 'untagged', countType: 'imageCountMoreThan', countNumber: 100 }, action: { type: 'expire' } },
    { rulePriority: 5, selection: { tagStatus: 'any', countType: 'sinceImagePushed', countUnit: 'days', countNumber: 365 }, action: { type: 'expire' } },
  ],
});

/** Deterministic images over two years: tag mix, multi-arch indexes with two children, signatures. */
function makeImages(count, now) {
  let seed = 42; // mulberry32: a fixed repository on every run
  const random = () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const images = [];
  for (let i = 0; images.length < count; i++) {
    const digest = `sha256:${i.toString(16).padStart(64, '0')}`;
    const pushedAt = new Date(now - Math.floor(random() * 730 * DAY_MS));
    const kind = random();
    const tags =
      kind < 0.2
        ? [`v${i % 7}.${i % 13}.${i}`]
        : kind < 0.5
          ? [`main-${i}-sha-${(i * 7919).toString(16)}`]
          : kind < 0.7
            ? [`pr-${i}`]
            : kind < 0.75
              ? [`x${i}`, 'extra']
              : [];
    const lastPulledAt = random() < 0.5 ? new Date(now - Math.floor(random() * 60 * DAY_MS)) : undefined;
    const base = { digest, tags, pushedAt, lastPulledAt, storageClass: 'STANDARD', children: [] };
    if (kind < 0.05 && images.length + 3 <= count) {
      images.push({ ...base, children: [`${digest}-amd64`, `${digest}-arm64`] });
      images.push({ ...base, digest: `${digest}-amd64`, tags: [] }, { ...base, digest: `${digest}-arm64`, tags: [] });
    } else if (kind > 0.98 && images.length > 0) {
      images.push({ ...base, tags: [], subject: images[images.length - 1].digest });
    } else {
      images.push(base);
    }
  }
  return images;
}

const timed = (fn) => {
  const start = performance.now();
  const result = fn();
  return { ms: performance.now() - start, result };
};

export async function lifecycleEvaluation({ images: count, runs }, log) {
  const lib = await policyLib();
  const now = Date.UTC(2026, 5, 1);
  const images = makeImages(count, now);
  const policy = lib.parseLifecyclePolicy(POLICY);
  log(`lifecycle: ${images.length} images, ${policy.rules.length} rules, ${runs} runs`);
  const evaluateMs = [];
  const sortMs = [];
  let decisions = 0;
  for (let run = 0; run < runs; run++) {
    sortMs.push(timed(() => [...images].sort((a, b) => a.pushedAt.getTime() - b.pushedAt.getTime())).ms);
    const evaluation = timed(() => lib.evaluateLifecyclePolicy(policy, images, new Date(now)));
    evaluateMs.push(evaluation.ms);
    decisions = evaluation.result.length;
  }
  const best = (list) => Math.min(...list);
  return {
    images: images.length,
    rules: policy.rules.length,
    decisions,
    evaluateMs: best(evaluateMs),
    sortMs: best(sortMs),
    allEvaluateMs: evaluateMs,
    allSortMs: sortMs,
  };
}
