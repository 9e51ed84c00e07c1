import { randomInt } from 'node:crypto';
import { describeFault, type Fault } from './faults';

/**
 * When a fault applies to requests of an operation:
 * - `times`: to the first n matching requests (`1`: the first try only, so the SDK's retry succeeds), or
 *   `'every'` (every try: the SDK gives up and the adapter must report it);
 * - `probability`: to each matching request with that chance, drawn from the schedule's seeded generator.
 */
export interface FaultRule {
  readonly operation: string | RegExp;
  readonly fault: Fault | readonly Fault[];
  readonly times?: number | 'every';
  readonly probability?: number;
  /** Lets this many matching requests through untouched first (to reach, say, the second UploadPart). */
  readonly skip?: number;
}

/** What the proxy decided for one request, in order: the replayable record of a run. */
export interface Decision {
  readonly operation: string;
  readonly fault?: string;
}

/**
 * A small seeded generator (mulberry32): the same seed draws the same numbers, so a failing run replays
 * with `FAULT_SEED=<seed>`. Not for anything secret.
 */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** `FAULT_SEED` if set (a replay), else a fresh seed; either way printed so that a failure can be replayed. */
export function faultSeed(env: NodeJS.ProcessEnv = process.env, print: (line: string) => void = (line) => process.stderr.write(`${line}\n`)): number {
  const given = env['FAULT_SEED'];
  const seed = given !== undefined && given !== '' ? Number(given) : randomInt(2 ** 31);
  if (!Number.isSafeInteger(seed) || seed < 0) throw new Error(`FAULT_SEED must be a non-negative integer, not ${JSON.stringify(given)}`);
  print(`fault-proxy: seed ${seed} (replay with FAULT_SEED=${seed})`);
  return seed;
}

interface ActiveRule {
  readonly rule: FaultRule;
  matched: number;
  applied: number;
}

/** The faults a proxy injects, rule by rule, and the record of what it decided. */
export class FaultSchedule {
  readonly #random: () => number;
  #rules: ActiveRule[] = [];
  readonly decisions: Decision[] = [];

  constructor(readonly seed: number) {
    this.#random = seededRandom(seed);
  }

  /** Adds a rule; earlier rules win when several match. */
  add(rule: FaultRule): this {
    this.#rules.push({ rule, matched: 0, applied: 0 });
    return this;
  }

  /** Forgets every rule (the decisions stay). */
  clear(): void {
    this.#rules = [];
  }

  /** The fault for the next request of `operation`, if any; recorded either way. */
  decide(operation: string): Fault | undefined {
    const fault = this.#pick(operation);
    this.decisions.push(fault ? { operation, fault: describeFault(fault) } : { operation });
    return fault;
  }

  /** How many requests of `operation` the proxy saw (the SDK's attempts, retries included). */
  attempts(operation: string): number {
    return this.decisions.filter((d) => d.operation === operation).length;
  }

  #pick(operation: string): Fault | undefined {
    for (const active of this.#rules) {
      const { rule } = active;
      const matches = typeof rule.operation === 'string' ? rule.operation === operation : rule.operation.test(operation);
      if (!matches) continue;
      if (++active.matched <= (rule.skip ?? 0)) continue;
      const times = rule.times ?? 'every';
      if (times !== 'every' && active.applied >= times) continue;
      if (rule.probability !== undefined && this.#random() >= rule.probability) continue;
      active.applied++;
      const faults: readonly Fault[] = Array.isArray(rule.fault) ? rule.fault : [rule.fault as Fault];
      return faults[Math.floor(this.#random() * faults.length)];
    }
    return undefined;
  }
}
