import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, readdir, rename, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openSqliteMetadata } from '@cargohold/storage-sqlite';
import pino from 'pino';
import { startServer } from './server';
import { raw, sha256 } from './testing/registry-client';

/**
 * A commit killed between its rename (the bytes are now the blob) and the link: the session row and an
 * empty upload folder stayed behind until the idle purge, a row pointing at bytes that are gone (issue 11,
 * item 5). Start-up reconciles.
 */
describe('start-up after a commit killed between rename and link', () => {
  it('removes the session whose bytes are gone and its folder; a re-push links the blob that landed', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'cargohold-stranded-'));
    const logger = pino({ level: 'silent' });
    try {
      const blob = randomBytes(4096);
      const digest = sha256(blob);
      const first = await startServer({ port: 0, dataDir, logger, allowAnonymous: true });
      const location = String((await raw(first.url, 'POST', '/v2/stranded/app/blobs/uploads/')).headers['location']);
      await raw(first.url, 'PATCH', location, { headers: { 'Content-Length': blob.length, 'Content-Range': `0-${blob.length - 1}` }, body: blob });
      await first.close(100);
      // What the killed commit left: the staged bytes renamed to the blob's path, their hash states still there.
      const id = location.split('/').at(-1) ?? '';
      const target = join(dataDir, 'blobs', 'sha256', digest.slice(7, 9));
      await mkdir(target, { recursive: true });
      await rename(join(dataDir, 'uploads', `${id}.data`), join(target, digest.slice(7)));

      const second = await startServer({ port: 0, dataDir, logger, allowAnonymous: true });
      try {
        const metadata = openSqliteMetadata(join(dataDir, 'metadata.db'));
        try {
          expect(await metadata.sessions.get(id)).toBeUndefined();
        } finally {
          await metadata.close();
        }
        expect(await readdir(join(dataDir, 'uploads'))).not.toContain(id);
        expect(await readdir(join(dataDir, 'uploads'))).not.toContain(`${id}.hashstates`);
        expect((await raw(second.url, 'GET', location)).status).toBe(404);
        const repush = await raw(second.url, 'POST', `/v2/stranded/app/blobs/uploads/?digest=${digest}`, {
          headers: { 'Content-Length': blob.length },
          body: blob,
        });
        expect(repush.status).toBe(201);
        expect((await raw(second.url, 'GET', `/v2/stranded/app/blobs/${digest}`)).body.equals(blob)).toBe(true);
      } finally {
        await second.close(100);
      }
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});
