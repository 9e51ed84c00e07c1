import type Database from 'better-sqlite3';

/**
 * "The database as this connection sees it" is two counters: the rows this connection changed
 * (total_changes(), no lock taken, read on every cached read) and the commits of every other connection,
 * in this process or another such as `cargohold gc` (PRAGMA data_version: a read transaction, two `fcntl`
 * lock calls, ~1.5 µs, the dearer of the two).
 *
 * Looking at data_version on every cached read is always right. A server can do with less: what a request
 * must see is every commit acknowledged before it arrived, so one look after its arrival serves all its
 * reads, and those of every request that arrived before the look. Once `arrived()` was called (by the
 * server's transport, before it starts the requests that arrived since it last called), a look holds until
 * the next call and at most until the event loop's next turn (for work that is not a request: workers,
 * timers, which then see commits at most one turn late). Until then (tests, tools) every read looks.
 */
class CommitWatch {
  readonly changes: Database.Statement<[], number>;
  private readonly dataVersion: Database.Statement<[], number>;
  private perArrival = false;
  private held = false;
  private expiry: NodeJS.Immediate | undefined;
  private version = -1;
  private readonly expire = () => {
    this.held = false;
    this.expiry = undefined;
  };

  constructor(db: Database.Database) {
    this.changes = db.prepare<[], number>('SELECT total_changes()').pluck();
    this.dataVersion = db.prepare<[], number>('PRAGMA data_version').pluck();
  }

  /** data_version as of a look that still holds, or as of now. */
  otherCommits(): number {
    if (this.held) return this.version;
    this.version = this.dataVersion.get() as number;
    if (this.perArrival) {
      this.held = true;
      this.expiry ??= setImmediate(this.expire);
    }
    return this.version;
  }

  arrived(): void {
    this.perArrival = true;
    this.held = false;
  }
}
const watches = new WeakMap<Database.Database, CommitWatch>();

function watchOf(db: Database.Database): CommitWatch {
  let watch = watches.get(db);
  if (!watch) {
    watch = new CommitWatch(db);
    watches.set(db, watch);
  }
  return watch;
}

/**
 * Requests arrived at the server over this connection's data and are about to start: the next cached read
 * looks for other connections' commits again, and from now on reads look once per such call instead of on
 * every read (CommitWatch).
 */
export function requestArrived(db: Database.Database): void {
  watchOf(db).arrived();
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
 * Reads memoised while the database is unchanged (see CommitWatch): any write anywhere empties the cache,
 * so a hit is what the query would answer now (or, once requests arrive, at the request's arrival). Hot
 * reads (a manifest GET's repository, tag and record) cost the counters instead of several queries and
 * parses. Inside a transaction the cache is neither read nor filled: what a transaction reads may yet roll
 * back. Values are shared between callers, so they are frozen. At most `maxEntries` values (memory bounded
 * by configuration, not input).
 */
export class SqliteReadCache<V> {
  private readonly watch: CommitWatch;
  /**
   * Keyed in three parts (registry, repository, item), one map per part: callers pass the parts they
   * have instead of joining them into a new string per read, which the map would then hash whole.
   */
  private readonly entries = new Map<string, Map<string, Map<string, V>>>();
  private size = 0;
  private changes = -1;
  private dataVersion = -1;

  constructor(
    private readonly db: Database.Database,
    private readonly maxEntries: number,
  ) {
    this.watch = watchOf(db);
  }

  /** The value for the key (k1, k2, k3); `load` reads it when the cache cannot (a function made once, not per read). */
  read(k1: string, k2: string, k3: string, load: (k1: string, k2: string, k3: string) => V): V {
    if (this.db.inTransaction) return load(k1, k2, k3);
    const changes = this.watch.changes.get() as number;
    const dataVersion = this.watch.otherCommits();
    if (changes !== this.changes || dataVersion !== this.dataVersion) {
      this.clear();
      this.changes = changes;
      this.dataVersion = dataVersion;
    } else {
      const items = this.entries.get(k1)?.get(k2);
      if (items !== undefined) {
        const hit = items.get(k3);
        if (hit !== undefined || items.has(k3)) return hit as V;
      }
    }
    const value = deepFreeze(load(k1, k2, k3));
    if (this.size >= this.maxEntries) this.clear();
    let byK2 = this.entries.get(k1);
    if (byK2 === undefined) this.entries.set(k1, (byK2 = new Map()));
    let items = byK2.get(k2);
    if (items === undefined) byK2.set(k2, (items = new Map()));
    items.set(k3, value);
    this.size++;
    return value;
  }

  private clear(): void {
    this.entries.clear();
    this.size = 0;
  }
}
