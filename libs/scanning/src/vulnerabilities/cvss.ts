/**
 * CVSS v3.x base score from a vector string, per the CVSS v3.1 specification §7 (the formulas and the
 * `Roundup` defined in its Appendix A). v3.0 vectors use the same metrics and weights.
 */
export interface CvssV3 {
  vector: string;
  baseScore: number;
}

const WEIGHTS = {
  AV: { N: 0.85, A: 0.62, L: 0.55, P: 0.2 },
  AC: { L: 0.77, H: 0.44 },
  UI: { N: 0.85, R: 0.62 },
  CIA: { H: 0.56, L: 0.22, N: 0 },
} as const;

/** Privileges Required weighs more when the scope changes. */
const PR = { U: { N: 0.85, L: 0.62, H: 0.27 }, C: { N: 0.85, L: 0.68, H: 0.5 } } as const;

const BASE_METRICS = ['AV', 'AC', 'PR', 'UI', 'S', 'C', 'I', 'A'] as const;

/** Returns undefined for anything that is not a complete, valid CVSS v3 base vector. */
export function parseCvssV3(vector: string): CvssV3 | undefined {
  const parts = vector.trim().split('/');
  if (!/^CVSS:3\.[01]$/.test(parts[0] ?? '')) return undefined;
  const metrics = new Map<string, string>();
  for (const part of parts.slice(1)) {
    const [key, value, extra] = part.split(':');
    if (!key || !value || extra !== undefined || metrics.has(key)) return undefined;
    metrics.set(key, value);
  }
  const m = Object.fromEntries(BASE_METRICS.map((k) => [k, metrics.get(k)])) as Record<(typeof BASE_METRICS)[number], string>;
  const scope = m.S === 'U' || m.S === 'C' ? m.S : undefined;
  const av = pick(WEIGHTS.AV, m.AV);
  const ac = pick(WEIGHTS.AC, m.AC);
  const ui = pick(WEIGHTS.UI, m.UI);
  const c = pick(WEIGHTS.CIA, m.C);
  const i = pick(WEIGHTS.CIA, m.I);
  const a = pick(WEIGHTS.CIA, m.A);
  const pr = scope && pick(PR[scope], m.PR);
  if (scope === undefined || av === undefined || ac === undefined || ui === undefined || pr === undefined) return undefined;
  if (c === undefined || i === undefined || a === undefined) return undefined;

  const iss = 1 - (1 - c) * (1 - i) * (1 - a);
  const impact = scope === 'U' ? 6.42 * iss : 7.52 * (iss - 0.029) - 3.25 * (iss - 0.02) ** 15;
  const exploitability = 8.22 * av * ac * pr * ui;
  let baseScore = 0;
  if (impact > 0) {
    baseScore = scope === 'U' ? roundup(Math.min(impact + exploitability, 10)) : roundup(Math.min(1.08 * (impact + exploitability), 10));
  }
  return { vector: vector.trim(), baseScore };
}

/** The spec's Roundup: the smallest number with one decimal that is >= the input, without float drift. */
export function roundup(value: number): number {
  const scaled = Math.round(value * 100000);
  return scaled % 10000 === 0 ? scaled / 100000 : (Math.floor(scaled / 10000) + 1) / 10;
}

function pick<T extends Record<string, number>>(table: T, key: string | undefined): number | undefined {
  return key !== undefined && Object.hasOwn(table, key) ? table[key] : undefined;
}
