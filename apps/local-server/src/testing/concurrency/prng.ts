/**
 * A seeded PRNG (mulberry32): the concurrency suite draws its payloads, client counts, request orders and
 * start delays from it, so a failing `seed=… round=…` replays the same inputs (the interleaving the
 * scheduler picks from them may still differ, which is why every round runs several times).
 */
export class Prng {
  private state: number;
  constructor(readonly seed: number) {
    this.state = seed >>> 0;
  }

  /** A float in [0, 1). */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** An integer in [min, max]. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  pick<T>(items: readonly T[]): T {
    return items[this.int(0, items.length - 1)] as T;
  }

  /** A hex string: unique payload bytes per round. */
  hex(bytes = 8): string {
    return Array.from({ length: bytes }, () => this.int(0, 255).toString(16).padStart(2, '0')).join('');
  }
}

/** The seed for this run: CONCURRENCY_SEED replays one, otherwise a fresh one (printed on failure). */
export function runSeed(): number {
  const given = process.env['CONCURRENCY_SEED'];
  return given ? Number(given) : Math.floor(Math.random() * 2 ** 31);
}
