import { close, fsync, open } from 'node:fs';
import { promisify } from 'node:util';
import { fsyncDir } from './fs-layout';

const openDir = promisify(open);
const fsyncFd = promisify(fsync);
const closeFd = promisify(close);

/** All of sha256's `blobs/sha256/<xx>` and the fixed directories fit; past that, a sync opens its directory each time. */
const MAX_OPEN = 320;

/**
 * Directory fsyncs on descriptors kept open, so making an entry durable costs one fsync, not an open, an
 * fsync and a close (uploads/ at each POST, blobs/<alg>/<xx> at each commit). The directories synced
 * here are never removed while the store runs. A kept descriptor also reports a writeback error that
 * happened since it was opened, where a fresh one would not see it.
 */
export class DirectorySyncs {
  private readonly fds = new Map<string, Promise<number>>();
  /** Syncs on kept descriptors not finished yet: close waits for them, so none runs on a closed (or reused) number. */
  private readonly running = new Set<Promise<void>>();
  private closed = false;

  async sync(dir: string): Promise<void> {
    let fd = this.fds.get(dir);
    if (fd === undefined) {
      if (this.closed || this.fds.size >= MAX_OPEN) return fsyncDir(dir);
      const opening = openDir(dir, 'r');
      this.fds.set(dir, opening);
      // A directory that could not be opened (not made yet) is opened again next time.
      opening.catch(() => this.fds.get(dir) === opening && this.fds.delete(dir));
      fd = opening;
    }
    const run = fd.then(fsyncFd);
    this.running.add(run);
    try {
      await run;
    } finally {
      this.running.delete(run);
    }
  }

  /** Closes the kept descriptors once the syncs on them finished; later syncs open and close their directory. */
  async close(): Promise<void> {
    this.closed = true;
    await Promise.allSettled([...this.running]);
    const fds = [...this.fds.values()];
    this.fds.clear();
    await Promise.all(fds.map((fd) => fd.then(closeFd, () => undefined)));
  }
}

/** A directory fsync through `syncs` when there is one, else one that opens its directory each time. */
export function directorySync(syncs?: DirectorySyncs): (dir: string) => Promise<void> {
  return syncs ? (dir) => syncs.sync(dir) : fsyncDir;
}
