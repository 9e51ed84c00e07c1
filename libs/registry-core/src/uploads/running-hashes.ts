import type { Digester } from '@cargohold/oci';

/** Enough for every upload streaming into one process at once; the oldest is forgotten past it. */
const MAX_ENTRIES = 1024;

/**
 * node:crypto hashes of streamed uploads, kept in this process between a PATCH and the PUT that follows
 * it (node's hash state cannot be saved with the upload). An entry is valid while the upload holds
 * exactly `offset` bytes: staged bytes are append-only, so the same size means the same bytes. `take`
 * hands the digester over (an append that fails midway must not leave a half-fed one behind).
 */
export class RunningHashes {
  private readonly entries = new Map<string, { readonly offset: number; readonly digester: Digester }>();

  take(id: string, offset: number): Digester | undefined {
    const entry = this.entries.get(id);
    this.entries.delete(id);
    return entry?.offset === offset ? entry.digester : undefined;
  }

  keep(id: string, offset: number, digester: Digester): void {
    this.entries.delete(id);
    this.entries.set(id, { offset, digester });
    if (this.entries.size > MAX_ENTRIES) this.entries.delete(this.entries.keys().next().value as string);
  }

  forget(id: string): void {
    this.entries.delete(id);
  }
}
