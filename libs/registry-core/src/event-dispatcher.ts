import type { RegistryEvent } from '@cargohold/events';
import type { OutboxStore } from '@cargohold/storage-ports';
import type { Clock } from './config';

/** A worker fed by events. Must be idempotent: it may see an event twice, or out of order. */
export interface EventConsumer {
  readonly name: string;
  handle(event: RegistryEvent): Promise<void>;
}

export interface DispatcherOptions {
  /** Attempts before an event is dead-lettered. */
  readonly maxAttempts: number;
  readonly baseDelayMs: number;
  readonly maxDelayMs: number;
  readonly batchSize: number;
  /** How long a claimed batch stays leased (a crashed process's events come back after this). */
  readonly leaseMs: number;
  /** Idle polling interval; `nudge()` runs sooner after a change. */
  readonly pollMs: number;
}

export const DEFAULT_DISPATCHER_OPTIONS: DispatcherOptions = {
  maxAttempts: 8,
  baseDelayMs: 500,
  maxDelayMs: 5 * 60 * 1000,
  batchSize: 50,
  leaseMs: 5 * 60 * 1000,
  pollMs: 1000,
};

export interface DispatcherLogger {
  warn(details: object, message: string): void;
  error(details: object, message: string): void;
}

/**
 * Delivers outbox events to in-process consumers, at least once: success removes the event; a failure
 * retries it with exponential backoff (and jitter); after `maxAttempts` it becomes a dead letter. The
 * outbox is the durable state, so delivery resumes after a restart where it stopped.
 */
export class EventDispatcher {
  private readonly options: DispatcherOptions;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<number> | undefined;
  private stopped = true;

  constructor(
    private readonly outbox: OutboxStore,
    private readonly consumers: readonly EventConsumer[],
    private readonly clock: Clock,
    options: Partial<DispatcherOptions> = {},
    private readonly logger?: DispatcherLogger,
  ) {
    this.options = { ...DEFAULT_DISPATCHER_OPTIONS, ...options };
  }

  /** Delivers every event that is due now; resolves with how many were handled (delivered or not). */
  async runOnce(): Promise<number> {
    if (this.running) return this.running;
    this.running = this.deliverDue().finally(() => (this.running = undefined));
    return this.running;
  }

  /** Runs until everything due is delivered (tests, shutdown). */
  async drain(): Promise<void> {
    while ((await this.runOnce()) > 0);
  }

  start(): void {
    this.stopped = false;
    this.schedule(0);
  }

  /** A change was just recorded: deliver soon rather than at the next poll. */
  nudge(): void {
    if (!this.stopped) this.schedule(0);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.running;
  }

  private schedule(delayMs: number): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.runOnce()
        .catch((err: unknown) => this.logger?.error({ err }, 'event dispatch failed'))
        .finally(() => {
          if (!this.stopped) this.schedule(this.options.pollMs);
        });
    }, delayMs);
    this.timer.unref();
  }

  private async deliverDue(): Promise<number> {
    const entries = await this.outbox.due(this.clock.now(), this.options.batchSize, this.options.leaseMs);
    for (const entry of entries) {
      // Attempts count from the lease: one past the limit means the previous attempts never reported
      // back (they crashed the process), so stop trying.
      if (entry.attempts > this.options.maxAttempts) {
        this.logger?.error({ seq: entry.seq, type: entry.event.type, attempts: entry.attempts }, 'event dead-lettered after unfinished attempts');
        await this.outbox.deadLetter(entry.seq, 'delivery never finished (the process stopped during it)', this.clock.now());
        continue;
      }
      try {
        for (const consumer of this.consumers) await consumer.handle(entry.event);
        await this.outbox.delivered(entry.seq);
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        const { attempts } = entry;
        if (attempts >= this.options.maxAttempts) {
          this.logger?.error({ seq: entry.seq, type: entry.event.type, attempts, error: message }, 'event dead-lettered');
          await this.outbox.deadLetter(entry.seq, message, this.clock.now());
        } else {
          const delay = Math.min(this.options.maxDelayMs, this.options.baseDelayMs * 2 ** (attempts - 1));
          const jittered = delay / 2 + Math.random() * (delay / 2);
          this.logger?.warn({ seq: entry.seq, type: entry.event.type, attempts, error: message }, 'event delivery failed; will retry');
          await this.outbox.retry(entry.seq, message, new Date(this.clock.now().getTime() + jittered));
        }
      }
    }
    return entries.length;
  }
}
