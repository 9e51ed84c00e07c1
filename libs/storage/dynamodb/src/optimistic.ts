import { UpdateContentionError } from './errors';
import { pause } from './table';

export type Attempt<T> = { readonly done: true; readonly value: T } | { readonly done: false };

/** Enough for dozens of writers racing on one item; each round at least one of them wins. */
export const MAX_ATTEMPTS = 40;

/**
 * Optimistic concurrency for read-modify-write: `attempt` reads the item with its `version`, computes the
 * new state and writes it conditioned on `version = :expected`. A lost race answers `{ done: false }` and
 * is retried from a fresh read after a jittered pause, so concurrent updates are serialized, never lost.
 * Errors (including those of a user's `mutate`) propagate at once, with nothing written.
 */
export async function retryOnConflict<T>(what: string, attempt: () => Promise<Attempt<T>>): Promise<T> {
  for (let n = 0; n < MAX_ATTEMPTS; n++) {
    if (n > 0) await pause(n);
    const result = await attempt();
    if (result.done) return result.value;
  }
  throw new UpdateContentionError(what, MAX_ATTEMPTS);
}
