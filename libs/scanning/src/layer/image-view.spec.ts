import { ScanFailedError } from '../errors';
import { ScanBudget } from '../limits';
import { chunked, OCI_TAR, tarball, type TarEntrySpec } from '../spec-helpers';
import { ImageView, type Interest } from './image-view';
import { readLayer } from './read-layer';

const interest = (path: string): Interest | undefined =>
  path.endsWith('.json') || path.endsWith('os-release') ? 'content' : path.endsWith('.sqlite') ? 'presence' : undefined;

/** Builds the view of an image from layers given lowest first. */
async function viewOf(...layers: TarEntrySpec[][]): Promise<ImageView> {
  const view = new ImageView();
  const budget = new ScanBudget();
  for (const entries of layers) {
    const changes = view.stage(interest);
    await readLayer(chunked(await tarball(entries)), OCI_TAR, budget, changes);
    view.apply(changes);
  }
  return view;
}

const paths = (view: ImageView): string[] => view.files().map((f) => f.path);

describe('ImageView', () => {
  describe('whiteouts across layers', () => {
    it('keeps only wanted files, with their content', async () => {
      const view = await viewOf([
        { name: 'app/a.json', content: '{}' },
        { name: 'app/b.txt', content: 'x' },
      ]);

      expect(view.files()).toEqual([{ path: '/app/a.json', content: Buffer.from('{}') }]);
    });

    it('deletes a file of a lower layer with .wh.<name>', async () => {
      const view = await viewOf(
        [
          { name: 'app/a.json', content: '1' },
          { name: 'app/b.json', content: '2' },
        ],
        [{ name: 'app/.wh.a.json' }],
      );

      expect(paths(view)).toEqual(['/app/b.json']);
    });

    it('deletes a whole directory of a lower layer with .wh.<dir>', async () => {
      const view = await viewOf(
        [
          { name: 'app/pkg/x.json', content: '1' },
          { name: 'app/y.json', content: '2' },
        ],
        [{ name: 'app/.wh.pkg' }],
      );

      expect(paths(view)).toEqual(['/app/y.json']);
    });

    it('hides lower contents of an opaque directory but keeps what the same layer adds, in any order', async () => {
      const view = await viewOf(
        [
          { name: 'app/old.json', content: 'old' },
          { name: 'other/keep.json', content: 'k' },
        ],
        [{ name: 'app/new.json', content: 'new' }, { name: 'app/.wh..wh..opq' }],
      );

      expect(paths(view)).toEqual(['/app/new.json', '/other/keep.json']);
    });

    it('lets a whiteout act only on lower layers, not on the same layer', async () => {
      const view = await viewOf([{ name: 'a.json', content: 'lower' }], [{ name: 'a.json', content: 'upper' }, { name: '.wh.a.json' }]);

      expect(view.readFile('/a.json')).toEqual({ found: true, path: '/a.json', content: Buffer.from('upper') });
    });

    it('lets an upper file, directory or symlink replace what was at its path', async () => {
      const view = await viewOf(
        [
          { name: 'a.json', content: 'a' },
          { name: 'b.json', content: 'b' },
          { name: 'c', type: 'symlink', linkname: 'a.json' },
        ],
        [
          { name: 'a.json', type: 'directory' },
          { name: 'b.json', content: 'not wanted', type: 'fifo' },
          { name: 'c', content: 'plain' },
        ],
      );

      expect(paths(view)).toEqual([]);
      expect(view.readFile('/c')).toEqual({ found: false });
    });

    it('re-adds a file deleted below when an upper layer writes it again', async () => {
      const view = await viewOf([{ name: 'a.json', content: '1' }], [{ name: '.wh.a.json' }], [{ name: 'a.json', content: '3' }]);

      expect(view.files()).toEqual([{ path: '/a.json', content: Buffer.from('3') }]);
    });

    it('records a file wanted for presence without its content', async () => {
      const view = await viewOf([{ name: 'var/lib/rpm/rpmdb.sqlite', content: 'SQLite format 3\0' }]);

      expect(view.readFile('/var/lib/rpm/rpmdb.sqlite')).toEqual({ found: true, path: '/var/lib/rpm/rpmdb.sqlite', content: undefined });
    });
  });

  describe('symlinks', () => {
    it('reads a file through a relative symlink, as /etc/os-release on Debian', async () => {
      const view = await viewOf([
        { name: 'usr/lib/os-release', content: 'ID=debian\n' },
        { name: 'etc/os-release', type: 'symlink', linkname: '../usr/lib/os-release' },
      ]);

      expect(view.readFile('/etc/os-release')).toEqual({ found: true, path: '/usr/lib/os-release', content: Buffer.from('ID=debian\n') });
    });

    it('follows a directory symlink, as /lib -> usr/lib on merged-/usr images', async () => {
      const view = await viewOf([{ name: 'lib', type: 'symlink', linkname: 'usr/lib' }], [{ name: 'usr/lib/x/a.json', content: '{}' }]);

      expect(view.readFile('/lib/x/a.json')).toMatchObject({ found: true, path: '/usr/lib/x/a.json' });
      expect(view.listFiles('/lib/x').map((f) => f.path)).toEqual(['/usr/lib/x/a.json']);
    });

    it('copies a wanted file through a hardlink to a file of the same layer', async () => {
      const view = await viewOf([
        { name: 'a.json', content: 'same' },
        { name: 'b.json', type: 'link', linkname: 'a.json' },
      ]);

      expect(view.files()).toEqual([
        { path: '/a.json', content: Buffer.from('same') },
        { path: '/b.json', content: Buffer.from('same') },
      ]);
    });

    it('fails on a symlink loop', async () => {
      const view = await viewOf([
        { name: 'etc/os-release', type: 'symlink', linkname: 'os-release.d' },
        { name: 'etc/os-release.d', type: 'symlink', linkname: '/etc/os-release' },
      ]);

      expect(() => view.readFile('/etc/os-release')).toThrow(ScanFailedError);
      expect(() => view.readFile('/etc/os-release')).toThrow(/symbolic link loop/);
    });

    it('answers not found for a dangling symlink', async () => {
      const view = await viewOf([{ name: 'etc/os-release', type: 'symlink', linkname: '/nowhere' }]);

      expect(view.readFile('/etc/os-release')).toEqual({ found: false });
    });
  });
});
