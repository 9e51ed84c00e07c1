import Database from 'better-sqlite3';

/** A hold on a data directory, released by `release()` or by the process ending, however it ends. */
export interface DirectoryLock {
  release(): void;
}

/** Another process holds the directory in a mode this one cannot share. */
export class DirectoryInUseError extends Error {
  constructor(readonly file: string) {
    super(`${file} is held by another cargohold server: one data directory serves one server (or one front and its upload gateway)`);
    this.name = 'DirectoryInUseError';
  }
}

/**
 * Takes SQLite's own file lock on `file` for as long as this process runs: `exclusive` for a server that
 * must be the only one writing the directory (the embedded server keeps upload state in memory), `shared`
 * for processes that may run side by side with each other (a front and its upload gateway) but not beside
 * an exclusive one. In `locking_mode = EXCLUSIVE` a connection never gives a lock back once taken: a read
 * holds the shared lock, a write the exclusive one. The locks are fcntl locks, which the kernel drops when
 * the process dies, so a crash leaves nothing to clean up (a lock file holding a pid would). Tools that
 * only read or that coordinate through the metadata database (`cargohold gc`, `fsck`) take none.
 */
export function lockDirectory(file: string, mode: 'exclusive' | 'shared'): DirectoryLock {
  // timeout 0: a held lock is answered at once, not after better-sqlite3's default 5 s of retries.
  const db = new Database(file, { timeout: 0 });
  try {
    db.pragma('journal_mode = DELETE');
    db.pragma('locking_mode = EXCLUSIVE');
    if (mode === 'exclusive') {
      db.exec('CREATE TABLE IF NOT EXISTS holder (pid INTEGER NOT NULL)');
      db.transaction(() => {
        db.exec('DELETE FROM holder');
        db.prepare('INSERT INTO holder (pid) VALUES (?)').run(process.pid);
      }).exclusive();
    } else {
      db.prepare('SELECT count(*) FROM sqlite_master').get();
    }
  } catch (error) {
    db.close();
    if ((error as { code?: string }).code === 'SQLITE_BUSY') throw new DirectoryInUseError(file);
    throw error;
  }
  return {
    release: () => {
      if (db.open) db.close();
    },
  };
}
