import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setImmediate as nextTurn } from 'node:timers/promises';
import Database from 'better-sqlite3';
import { openSqliteMetadata, type SqliteMetadata } from './index';
import { SqliteReadCache } from './sqlite-read-cache';

const repo = { registry: '000000000000/us-east-1', name: 'app' };
const at = new Date('2026-01-01T00:00:00Z');

describe('SqliteReadCache', () => {
  let dir: string;
  /** A plain connection to the test's database file, closed after `use`. */
  const withDatabase = (use: (db: Database.Database) => void) => {
    const db = new Database(join(dir, 'metadata.db'));
    try {
      use(db);
    } finally {
      db.close();
    }
  };
  let server: SqliteMetadata;
  let other: SqliteMetadata;

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'cargohold-read-cache-'));
    server = openSqliteMetadata(join(dir, 'metadata.db'));
    // A second connection to the same file, as `cargohold gc` or `fsck` opens it beside a running server.
    other = openSqliteMetadata(join(dir, 'metadata.db'));
  });

  afterEach(async () => {
    await Promise.all([server.close(), other.close()]);
    await rm(dir, { recursive: true, force: true });
  });

  it('answers what the database holds after a write on the same connection', async () => {
    await server.repositories.create(repo, at);
    expect((await server.repositories.get(repo))?.settings.scanOnPush).toBe(false);

    await server.repositories.update(repo, (settings) => ({ ...settings, scanOnPush: true }));

    expect((await server.repositories.get(repo))?.settings.scanOnPush).toBe(true);
  });

  it('answers what another connection committed since the last read', async () => {
    expect(await server.repositories.get(repo)).toBeUndefined();

    await other.repositories.create(repo, at);
    expect(await server.repositories.get(repo)).toBeDefined();

    await other.repositories.delete(repo);
    expect(await server.repositories.get(repo)).toBeUndefined();
  });

  describe('once requests arrive (a server)', () => {
    it('answers what another connection committed before the request arrived', async () => {
      server.requestArrived();
      expect(await server.repositories.get(repo)).toBeUndefined();

      await other.repositories.create(repo, at);
      server.requestArrived();
      expect(await server.repositories.get(repo)).toBeDefined();

      await other.repositories.delete(repo);
      server.requestArrived();
      expect(await server.repositories.get(repo)).toBeUndefined();
    });

    it('looks once per request: a commit after the arrival is seen from the next arrival on', async () => {
      server.requestArrived();
      expect(await server.repositories.get(repo)).toBeUndefined();

      await other.repositories.create(repo, at);
      expect(await server.repositories.get(repo)).toBeUndefined();

      server.requestArrived();
      expect(await server.repositories.get(repo)).toBeDefined();
    });

    it('answers work that is no request (a worker) from the next turn of the event loop on', async () => {
      server.requestArrived();
      expect(await server.repositories.get(repo)).toBeUndefined();

      await other.repositories.create(repo, at);
      await nextTurn();

      expect(await server.repositories.get(repo)).toBeDefined();
    });

    it('still answers its own writes at once', async () => {
      server.requestArrived();
      expect(await server.repositories.get(repo)).toBeUndefined();

      await server.repositories.create(repo, at);

      expect(await server.repositories.get(repo)).toBeDefined();
    });
  });

  it('hands out frozen values, so a caller cannot change what the next one reads', async () => {
    await server.registries.update(repo.registry, (settings) => ({ ...settings, accountSettings: { BLOB_MOUNTING: 'ENABLED' } }));
    const settings = await server.registries.get(repo.registry);

    expect(() => ((settings.accountSettings as Record<string, string>)['BLOB_MOUNTING'] = 'DISABLED')).toThrow(TypeError);
    expect((await server.registries.get(repo.registry)).accountSettings).toEqual({ BLOB_MOUNTING: 'ENABLED' });
  });

  it('neither reads nor keeps what a transaction saw, which may roll back', () => {
    withDatabase((db) => {
      db.exec('CREATE TABLE cached (value TEXT)');
      db.exec("INSERT INTO cached VALUES ('committed')");
      const cache = new SqliteReadCache<string>(db, 8);
      const value = () => db.prepare<[], { value: string }>('SELECT value FROM cached').get()?.value ?? '';
      expect(cache.read('k', '', '', value)).toBe('committed');

      const seenInside = db.transaction(() => {
        db.exec("UPDATE cached SET value = 'rolled back'");
        const seen = cache.read('k', '', '', value);
        throw Object.assign(new Error('roll back'), { seen });
      });
      let inside: string | undefined;
      try {
        seenInside();
      } catch (error) {
        inside = (error as { seen: string }).seen;
      }

      expect(inside).toBe('rolled back');
      expect(cache.read('k', '', '', value)).toBe('committed');
    });
  });

  it('keeps the three parts of a key apart, and remembers a value that is not there', () => {
    withDatabase((db) => {
      const cache = new SqliteReadCache<string | undefined>(db, 8);
      const loads: string[] = [];
      const load = (k1: string, k2: string, k3: string) => {
        loads.push([k1, k2, k3].join('|'));
        return k3 === 'missing' ? undefined : `${k1}|${k2}|${k3}`;
      };
      // Joined with "\0" (as callers once did), the first two keys would have been one.
      expect(cache.read('a', 'b\0c', '', load)).toBe('a|b\0c|');
      expect(cache.read('a\0b', 'c', '', load)).toBe('a\0b|c|');
      expect(cache.read('a', 'b', 'missing', load)).toBeUndefined();

      expect(cache.read('a', 'b\0c', '', load)).toBe('a|b\0c|');
      expect(cache.read('a\0b', 'c', '', load)).toBe('a\0b|c|');
      expect(cache.read('a', 'b', 'missing', load)).toBeUndefined();
      expect(loads).toEqual(['a|b\0c|', 'a\0b|c|', 'a|b|missing']);
    });
  });

  it('holds at most maxEntries values, emptying itself when full', () => {
    withDatabase((db) => {
      const cache = new SqliteReadCache<string>(db, 2);
      let loads = 0;
      const load = (k1: string) => {
        loads++;
        return k1;
      };
      for (const key of ['x', 'y', 'x', 'y']) cache.read(key, '', '', load);
      expect(loads).toBe(2);
      cache.read('z', '', '', load); // full: emptied, then z kept
      cache.read('x', '', '', load);
      cache.read('z', '', '', load);
      expect(loads).toBe(4);
    });
  });
});
