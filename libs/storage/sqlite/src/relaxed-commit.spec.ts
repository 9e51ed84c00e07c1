import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type Database from 'better-sqlite3';
import { relaxed } from './relaxed-commit';
import { openDatabase } from './schema';

const FULL = 2;
const NORMAL = 1;

describe('relaxed', () => {
  let dir: string;
  let db: Database.Database;
  const level = () => db.pragma('synchronous', { simple: true });

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'cargohold-relaxed-'));
    db = openDatabase(join(dir, 'metadata.db'));
  });

  afterEach(async () => {
    db.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('commits the write at synchronous=NORMAL and leaves the connection FULL', () => {
    const seen = relaxed(db, () => level());

    expect(seen).toBe(NORMAL);
    expect(level()).toBe(FULL);
  });

  it('leaves the connection FULL when the write throws', () => {
    expect(() =>
      relaxed(db, () => {
        throw new Error('constraint');
      }),
    ).toThrow('constraint');
    expect(level()).toBe(FULL);
  });
});
