/** Past this many, the oldest entry is dropped: its next status only stats the file again. */
const MAX_ENTRIES = 4096;

/**
 * The staged size of each upload this process wrote last, so that a status, an append and a commit need
 * no `stat` (three per streamed layer otherwise). Only valid while no other process appends to the same
 * uploads/ (the embedded server without an upload gateway: `soleWriter`). Entries change under the
 * upload's lock, once the bytes they count are durable (or rolled back); another process may still remove
 * an idle upload (`cargohold gc` expires it), which the next append or commit finds as a missing file.
 */
export class StagedSizes {
  private readonly sizes = new Map<string, number>();

  get(id: string): number | undefined {
    return this.sizes.get(id);
  }

  set(id: string, size: number): void {
    this.sizes.delete(id);
    this.sizes.set(id, size);
    if (this.sizes.size > MAX_ENTRIES) this.sizes.delete(this.sizes.keys().next().value as string);
  }

  forget(id: string): void {
    this.sizes.delete(id);
  }
}
