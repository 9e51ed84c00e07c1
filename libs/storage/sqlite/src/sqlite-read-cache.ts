import type Database from 'better-sqlite3';

/**
 * One stamp for "the database as this connection sees it": the rows this connection changed
 * (total_changes(), which a commit by this connection moves) and the commits of every other connection,
 * in this process or another such as `cargohold gc` (PRAGMA data_version). One statement, cheaper than
 * the point query and the JSON parsing a cached read saves.
 */
const STAMP_SQL = "SELECT total_changes() || ':' || data_version AS stamp FROM pragma_data_version";
const stamps = new WeakMap<Database.Database, Database.Statement<[], string>>();

function stampOf(db: Database.Database): Database.Statement<[], string> {
  let statement = stamps.get(db);
  if (!statement) {
    statement = db.prepare<[], string>(STAMP_SQL).pluck();
    stamps.set(db, statement);
  }
  return statement;
}

/** Freezes a value read from the cache so that a caller editing it fails loudly instead of changing what others read. */
function deepFreeze<V>(value: V): V {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value) && !(value instanceof Date)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}

/**
 * Reads memoised while the database is unchanged (see STAMP_SQL): any write anywhere empties the cache,
 * so a hit is always what the query would answer now. Hot reads (a manifest GET's repository, tag and
 * record) cost one stamp query instead of several queries and parses. Inside a transaction the cache is
 * neither read nor filled: what a transaction reads may yet roll back. Values are shared between
 * callers, so they are frozen. At most `maxEntries` values (memory bounded by configuration, not input).
 */
export class SqliteReadCache<V> {
  private readonly stamp: Database.Statement<[], string>;
  private readonly entries = new Map<string, V>();
  private validAt = '';

  constructor(
    private readonly db: Database.Database,
    private readonly maxEntries: number,
  ) {
    this.stamp = stampOf(db);
  }

  read(key: string, load: () => V): V {
    if (this.db.inTransaction) return load();
    const now = this.stamp.get() as string;
    if (now !== this.validAt) {
      this.entries.clear();
      this.validAt = now;
    } else if (this.entries.has(key)) {
      return this.entries.get(key) as V;
    }
    const value = deepFreeze(load());
    if (this.entries.size >= this.maxEntries) this.entries.clear();
    this.entries.set(key, value);
    return value;
  }
}
