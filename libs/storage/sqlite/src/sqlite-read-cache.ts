import type Database from 'better-sqlite3';

/**
 * "The database as this connection sees it" is two counters: the rows this connection changed
 * (total_changes(), no lock taken) and the commits of every other connection, in this process or another
 * such as `cargohold gc` (PRAGMA data_version). Two statements, together cheaper than the point query
 * and the JSON parsing a cached read saves (and than one statement joining them, measured).
 */
interface Stamps {
  readonly changes: Database.Statement<[], number>;
  readonly dataVersion: Database.Statement<[], number>;
}
const stamps = new WeakMap<Database.Database, Stamps>();

function stampsOf(db: Database.Database): Stamps {
  let statements = stamps.get(db);
  if (!statements) {
    statements = {
      changes: db.prepare<[], number>('SELECT total_changes()').pluck(),
      dataVersion: db.prepare<[], number>('PRAGMA data_version').pluck(),
    };
    stamps.set(db, statements);
  }
  return statements;
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
 * Reads memoised while the database is unchanged (see Stamps): any write anywhere empties the cache,
 * so a hit is always what the query would answer now. Hot reads (a manifest GET's repository, tag and
 * record) cost the two counters instead of several queries and parses. Inside a transaction the cache is
 * neither read nor filled: what a transaction reads may yet roll back. Values are shared between
 * callers, so they are frozen. At most `maxEntries` values (memory bounded by configuration, not input).
 */
export class SqliteReadCache<V> {
  private readonly stamps: Stamps;
  private readonly entries = new Map<string, V>();
  private changes = -1;
  private dataVersion = -1;

  constructor(
    private readonly db: Database.Database,
    private readonly maxEntries: number,
  ) {
    this.stamps = stampsOf(db);
  }

  read(key: string, load: () => V): V {
    if (this.db.inTransaction) return load();
    const changes = this.stamps.changes.get() as number;
    const dataVersion = this.stamps.dataVersion.get() as number;
    if (changes !== this.changes || dataVersion !== this.dataVersion) {
      this.entries.clear();
      this.changes = changes;
      this.dataVersion = dataVersion;
    } else if (this.entries.has(key)) {
      return this.entries.get(key) as V;
    }
    const value = deepFreeze(load());
    if (this.entries.size >= this.maxEntries) this.entries.clear();
    this.entries.set(key, value);
    return value;
  }
}
