import type { UploadSession } from '@cargohold/storage-ports';
import type { MetadataFixture } from './metadata-fixture';
import { at, OTHER_REGISTRY, repoRef, T0 } from './metadata-fixture';

const idOf = (n: number) => `00000000-0000-4000-8000-${n.toString().padStart(12, '0')}`;
const session = (n: number, updatedAt = T0): UploadSession => ({
  id: idOf(n),
  repo: repoRef('app'),
  startedAt: T0,
  updatedAt,
});

/** UploadSessionStore: uploads in progress and their idleness. */
export function describeUploadSessionStoreSpec(fixture: () => MetadataFixture): void {
  describe('UploadSessionStore', () => {
    beforeEach(async () => {
      await fixture().repositories.create(repoRef('app'), T0);
    });

    it('creates a session and reads it back', async () => {
      const { sessions } = fixture();
      const made = { ...session(1), repo: repoRef('app', OTHER_REGISTRY) };
      await sessions.create(made);
      expect(await sessions.get(idOf(1))).toEqual(made);
      expect(await sessions.get(idOf(2))).toBeUndefined();
    });

    it('throws when creating an id that exists, and keeps the original', async () => {
      const { sessions } = fixture();
      await sessions.create(session(1));
      await expect(sessions.create(session(1, at(9)))).rejects.toThrow();
      expect(await sessions.get(idOf(1))).toEqual(session(1));
    });

    it('touch moves updatedAt only, and ignores unknown ids', async () => {
      const { sessions } = fixture();
      await sessions.create(session(1));
      await sessions.touch(idOf(1), at(30));
      expect(await sessions.get(idOf(1))).toEqual({ ...session(1), updatedAt: at(30) });
      await expect(sessions.touch(idOf(2), at(30))).resolves.toBeUndefined();
      expect(await sessions.get(idOf(2))).toBeUndefined();
    });

    it('deletes and answers whether the session existed', async () => {
      const { sessions } = fixture();
      await sessions.create(session(1));
      expect(await sessions.delete(idOf(1))).toBe(true);
      expect(await sessions.get(idOf(1))).toBeUndefined();
      expect(await sessions.delete(idOf(1))).toBe(false);
    });

    it('lists sessions idle since before a time, oldest first, at most limit', async () => {
      const { sessions } = fixture();
      await sessions.create(session(1, at(40)));
      await sessions.create(session(2, at(10)));
      await sessions.create(session(3, at(30)));
      await sessions.create(session(4, at(20)));
      await sessions.create(session(5, at(50)));
      await sessions.touch(idOf(2), at(45));

      expect((await sessions.listIdle(at(50), 10)).map((s) => s.id)).toEqual([idOf(4), idOf(3), idOf(1), idOf(2)]);
      expect((await sessions.listIdle(at(50), 2)).map((s) => s.id)).toEqual([idOf(4), idOf(3)]);
      expect(await sessions.listIdle(at(20), 10)).toEqual([]);
      expect(await sessions.listIdle(at(21), 10)).toEqual([session(4, at(20))]);
    });

    it('pages through idle sessions after a cursor, in (updatedAt, id) order', async () => {
      const { sessions } = fixture();
      for (const [n, minute] of [
        [1, 10],
        [2, 10],
        [3, 20],
        [4, 5],
        [5, 60],
      ] as const)
        await sessions.create(session(n, at(minute)));

      const first = await sessions.listIdle(at(50), 2);
      const second = await sessions.listIdle(at(50), 2, first.at(-1));
      const third = await sessions.listIdle(at(50), 2, second.at(-1));

      expect([first, second, third].map((page) => page.map((s) => s.id))).toEqual([[idOf(4), idOf(1)], [idOf(2), idOf(3)], []]);
    });
  });
}
