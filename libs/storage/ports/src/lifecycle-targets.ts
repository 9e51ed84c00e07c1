import type { RepoRef } from './refs';

/**
 * The repositories a scheduled lifecycle sweep visits: those whose settings hold a lifecycle policy, across
 * every registry the store serves.
 *
 * Contract: `list` yields each such repository once, in no promised order; a repository whose policy is
 * put or deleted during the listing may or may not be yielded (the sweep re-reads the policy anyway).
 */
export interface LifecycleTargets {
  list(): AsyncIterable<RepoRef>;
}
