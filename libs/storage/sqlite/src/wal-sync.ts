import { close, fdatasync, open } from 'node:fs';
import { resolve } from 'node:path';
import { promisify } from 'node:util';
import type Database from 'better-sqlite3';
import { relaxed } from './relaxed-commit';

const openFile = promisify(open);
const syncFile = promisify(fdatasync);
const closeFile = promisify(close);

/**
 * Commits as durable as FULL ones when they resolve, whose fsync runs in the thread pool instead of on
 * the event loop, so it overlaps the caller's other I/O. The write commits at `synchronous = NORMAL`
 * (its frames appended to the WAL, in the page cache), then the WAL file is fdatasync'ed: the very fsync
 * FULL does inside the commit. A commit a checkpoint copied into the database meanwhile is durable by
 * the checkpoint's own fsyncs (NORMAL syncs the WAL before a checkpoint and the database after it).
 * Concurrent commits share fsyncs: each waits for the first one that starts after it committed.
 *
 * Unlike FULL, other connections and requests see the row before it is durable, so only for writes no
 * one else acts on before the caller's answer: an upload session, whose id only its client learns, from
 * that answer. An fsync error fails this commit and every later one (a later fsync may not report pages
 * the failed one dropped), and is reported once to `onFailure`: the owner should stop the process, since
 * the connection's own FULL commits may go on succeeding over a WAL that lost frames (PostgreSQL's answer
 * to fsync errors, for the same reason). A database in memory has no WAL file: its commits run as the
 * connection's.
 */
export class WalSync {
  private fd: Promise<number> | undefined;
  private inFlight: Promise<void> | undefined;
  private next: Promise<void> | undefined;
  private failure: unknown;
  /**
   * Next to the file SQLite opened, as SQLite names it: the path it resolved when it opened the database
   * (absolute, symbolic links followed), so neither a later chdir nor a metadata.db that is a link to
   * another disk points this at a file SQLite does not write.
   */
  private readonly walFile: string;

  constructor(
    private readonly db: Database.Database,
    private readonly onFailure: (error: unknown) => void = () => undefined,
  ) {
    const main = (db.pragma('database_list') as { name: string; file: string }[]).find((entry) => entry.name === 'main');
    this.walFile = `${main?.file || resolve(db.name)}-wal`;
  }

  async commit<T>(write: () => T): Promise<T> {
    if (this.db.memory) return write();
    if (this.failure !== undefined) throw this.failure;
    const result = relaxed(this.db, write);
    await this.flush();
    return result;
  }

  /** Closes the WAL descriptor, after the database (closing it first could drop SQLite's locks on the file). */
  async close(): Promise<void> {
    await this.inFlight?.catch(() => undefined);
    await this.next?.catch(() => undefined);
    const fd = this.fd;
    this.fd = undefined;
    await fd?.then(closeFile, () => undefined);
  }

  private flush(): Promise<void> {
    if (!this.inFlight) return this.start();
    // The fsync running may have started before this commit: the next one covers it and all made meanwhile.
    this.next ??= this.inFlight
      .catch(() => undefined)
      .then(() => {
        this.next = undefined;
        return this.start();
      });
    return this.next;
  }

  private start(): Promise<void> {
    const run = this.sync().finally(() => {
      if (this.inFlight === run) this.inFlight = undefined;
    });
    this.inFlight = run;
    return run;
  }

  private async sync(): Promise<void> {
    if (this.failure !== undefined) throw this.failure;
    try {
      this.fd ??= openFile(this.walFile, 'r');
      await syncFile(await this.fd);
    } catch (error) {
      if (this.failure === undefined) {
        this.failure = error;
        this.onFailure(error);
      }
      throw error;
    }
  }
}
