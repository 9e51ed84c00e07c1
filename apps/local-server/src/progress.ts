/** Where progress goes: stderr, whose `isTTY` decides between a redrawn bar and plain periodic lines. */
export interface ProgressOutput {
  readonly isTTY?: boolean;
  write(text: string): unknown;
}

export interface Progress {
  /** `total` undefined: the amount of work is not known up front (shown as a count, without a bar). */
  update(done: number, total: number | undefined, detail: string): void;
  /** Clears the bar (terminal) so the job's own summary starts on a clean line. */
  finish(): void;
}

const BAR_WIDTH = 24;
/** A terminal redraws often enough to look alive; a log file gets a line now and then. */
const TTY_EVERY_MS = 100;
const LINE_EVERY_MS = 5_000;

/**
 * Progress of a long CLI job (`fsck`, `vulndb import`, `gc`): on a terminal one line redrawn in place with
 * a bar when the total is known; otherwise (CI logs, pipes) a plain line at most every 5 s, so a log shows
 * the job moving without a flood, and nothing at all for a job that ends within the first interval.
 */
export function progressReporter(label: string, output: ProgressOutput, now: () => number = Date.now): Progress {
  const terminal = output.isTTY === true;
  const every = terminal ? TTY_EVERY_MS : LINE_EVERY_MS;
  // A terminal shows the bar at the first update (it is cleared at the end anyway); a log gets its first
  // line only once the job has run for an interval, so a quick job leaves no noise there.
  let shownAt = terminal ? -Infinity : now();
  let drawn = false;
  return {
    update(done, total, detail) {
      const at = now();
      if (at - shownAt < every) return;
      shownAt = at;
      const share = total !== undefined && total > 0 ? Math.min(1, done / total) : undefined;
      if (terminal) {
        const bar = share === undefined ? '' : `[${'#'.repeat(Math.round(share * BAR_WIDTH)).padEnd(BAR_WIDTH, '.')}] ${Math.floor(share * 100)}% `;
        output.write(`\r\x1b[2K${label} ${bar}${detail}`);
        drawn = true;
      } else {
        output.write(`${label}: ${detail}${share === undefined ? '' : ` (${Math.floor(share * 100)}%)`}\n`);
      }
    },
    finish() {
      if (drawn) output.write('\r\x1b[2K');
      drawn = false;
    },
  };
}
