import { mkdir, mkdtemp, rename, rm, symlink, unlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type Database from 'better-sqlite3';
import { openDatabase } from './schema';
import { WalSync } from './wal-sync';

const FULL = 2;
const NORMAL = 1;

describe('WalSync', () => {
  let dir: string;
  let db: Database.Database;
  let wal: WalSync;
  const level = () => db.pragma('synchronous', { simple: true });

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'cargohold-wal-'));
    db = openDatabase(join(dir, 'metadata.db'));
    db.exec('CREATE TABLE t (n INTEGER)');
    wal = new WalSync(db);
  });

  afterEach(async () => {
    if (db.open) db.close();
    await wal.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('commits at synchronous=NORMAL, answers the write, and leaves the connection FULL', async () => {
    await expect(wal.commit(() => level())).resolves.toBe(NORMAL);
    expect(level()).toBe(FULL);
  });

  it('resolves every one of concurrent commits, each committed', async () => {
    const insert = db.prepare('INSERT INTO t (n) VALUES (?)');
    await Promise.all(Array.from({ length: 20 }, (_, n) => wal.commit(() => insert.run(n))));
    expect(db.prepare('SELECT count(*) AS c FROM t').get()).toEqual({ c: 20 });
  });

  it('fails the commit whose WAL it cannot sync, and every later one', async () => {
    await unlink(join(dir, 'metadata.db-wal'));
    const insert = db.prepare('INSERT INTO t (n) VALUES (?)');
    await expect(wal.commit(() => insert.run(1))).rejects.toMatchObject({ code: 'ENOENT' });
    await expect(wal.commit(() => insert.run(2))).rejects.toMatchObject({ code: 'ENOENT' });
    expect(db.prepare('SELECT n FROM t').all()).toEqual([{ n: 1 }]);
  });

  it('reports the first failure to its owner, once', async () => {
    const failures: unknown[] = [];
    const reporting = new WalSync(db, (error) => failures.push(error));
    await unlink(join(dir, 'metadata.db-wal'));
    const insert = db.prepare('INSERT INTO t (n) VALUES (?)');
    await expect(reporting.commit(() => insert.run(1))).rejects.toMatchObject({ code: 'ENOENT' });
    await expect(reporting.commit(() => insert.run(2))).rejects.toMatchObject({ code: 'ENOENT' });
    expect(failures).toEqual([expect.objectContaining({ code: 'ENOENT' })]);
    await reporting.close();
  });

  it('syncs the WAL SQLite writes when the database file is a symbolic link to another directory', async () => {
    // metadata.db moved to another disk and linked back: SQLite writes its WAL beside the link's target.
    db.close();
    await mkdir(join(dir, 'disk'));
    await rename(join(dir, 'metadata.db'), join(dir, 'disk', 'metadata.db'));
    await symlink(join(dir, 'disk', 'metadata.db'), join(dir, 'metadata.db'));
    db = openDatabase(join(dir, 'metadata.db'));
    const linked = new WalSync(db);
    try {
      const insert = db.prepare('INSERT INTO t (n) VALUES (?)');
      await expect(linked.commit(() => insert.run(1))).resolves.toMatchObject({ changes: 1 });
      await expect(linked.commit(() => insert.run(2))).resolves.toMatchObject({ changes: 1 });
    } finally {
      db.close();
      await linked.close();
    }
  });

  it('commits a database in memory as the connection does', async () => {
    const memory = openDatabase(':memory:');
    try {
      await expect(new WalSync(memory).commit(() => memory.pragma('synchronous', { simple: true }))).resolves.toBe(FULL);
    } finally {
      memory.close();
    }
  });
});
