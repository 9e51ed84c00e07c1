import type Database from 'better-sqlite3';

/**
 * Runs `write` (one statement or one transaction) with `synchronous = NORMAL`: committed to the WAL
 * without waiting for an fsync, then the connection is FULL again. Only for writes that no client is
 * ever told of: the garbage collector's pin leases and the removal of a finished upload session. A
 * process crash loses none of them (the WAL is in the page cache); a power loss may lose the latest,
 * never half of one (the WAL keeps commits atomic and in order), and the next FULL commit makes them
 * durable with it. Each such loss is harmless: a lost pin belonged to a push that was never
 * acknowledged, a lost unpin expires with its lease, a session that comes back has no staged bytes and
 * is purged as stranded or idle. Saves one WAL fsync each, on the event loop, per pushed blob.
 */
export function relaxed<T>(db: Database.Database, write: () => T): T {
  db.pragma('synchronous = NORMAL');
  try {
    return write();
  } finally {
    db.pragma('synchronous = FULL');
  }
}
