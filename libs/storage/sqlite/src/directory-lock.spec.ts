import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DirectoryInUseError, lockDirectory, type DirectoryLock } from './directory-lock';

describe('lockDirectory', () => {
  let dir: string;
  let file: string;
  const held: DirectoryLock[] = [];
  const take = (mode: 'exclusive' | 'shared') => {
    const lock = lockDirectory(file, mode);
    held.push(lock);
    return lock;
  };

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'cargohold-lock-'));
    file = join(dir, 'serve.lock');
  });
  afterEach(async () => {
    for (const lock of held.splice(0)) lock.release();
    await rm(dir, { recursive: true, force: true });
  });

  it('lets one exclusive holder in and refuses every other until it releases', () => {
    const first = take('exclusive');
    expect(() => take('exclusive')).toThrow(DirectoryInUseError);
    expect(() => take('shared')).toThrow(DirectoryInUseError);
    first.release();
    expect(() => take('exclusive')).not.toThrow();
  });

  it('lets shared holders in together and refuses an exclusive one beside them', () => {
    const front = take('shared');
    const gateway = take('shared');
    expect(() => take('exclusive')).toThrow(DirectoryInUseError);
    front.release();
    expect(() => take('exclusive')).toThrow(DirectoryInUseError);
    gateway.release();
    expect(() => take('exclusive')).not.toThrow();
  });

  it("is another process's until that process dies, killed without a chance to clean up", async () => {
    // The child takes the lock as lockDirectory does (exclusive locking mode, then a write), in plain JS:
    // jest's TypeScript transform does not reach a \`node -e\` child.
    const holder = `
      const Database = require('better-sqlite3');
      const db = new Database(process.argv[1], { timeout: 0 });
      db.pragma('journal_mode = DELETE');
      db.pragma('locking_mode = EXCLUSIVE');
      db.exec('CREATE TABLE IF NOT EXISTS holder (pid INTEGER NOT NULL)');
      db.exec('BEGIN EXCLUSIVE; DELETE FROM holder; INSERT INTO holder (pid) VALUES (' + process.pid + '); COMMIT');
      process.stdout.write('held\\n');
      setInterval(() => {}, 1000);
    `;
    const child = spawn(process.execPath, ['-e', holder, file], { stdio: ['ignore', 'pipe', 'inherit'] });
    try {
      await once(child.stdout, 'data');
      expect(() => take('shared')).toThrow(DirectoryInUseError);
      child.kill('SIGKILL');
      await once(child, 'exit');
      expect(() => take('exclusive')).not.toThrow();
    } finally {
      child.kill('SIGKILL');
    }
  });
});
