/** Past this many, the oldest entry is dropped: its next status only stats the file again. */
const MAX_ENTRIES = 4096;

/** An upload's staged size, and whether it is staged in the layout of earlier versions (fs-layout.ts). */
export interface Staged {
  readonly size: number;
  readonly legacy: boolean;
}

/**
 * What this process wrote last into each upload, so that a status, an append and a commit need no
 * `stat` (three per streamed layer otherwise). Only valid while no other process appends to the same
 * uploads/ (the embedded server without an upload gateway: `soleWriter`). Entries change under the
 * upload's lock, once the bytes they count are durable (or rolled back); another process may still remove
 * an idle upload (`cargohold gc` expires it), which the next append or commit finds as a missing file.
 */
export class StagedSizes {
  private readonly entries = new Map<string, Staged>();

  get(id: string): Staged | undefined {
    return this.entries.get(id);
  }

  set(id: string, staged: Staged): void {
    this.entries.delete(id);
    this.entries.set(id, staged);
    if (this.entries.size > MAX_ENTRIES) this.entries.delete(this.entries.keys().next().value as string);
  }

  forget(id: string): void {
    this.entries.delete(id);
  }
}
