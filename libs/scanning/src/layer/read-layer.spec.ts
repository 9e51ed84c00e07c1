import { Readable } from 'node:stream';
import { ScanFailedError, ScanUnsupportedError } from '../errors';
import { ScanBudget } from '../limits';
import { chunked, counted, gzip, gzipStream, OCI_TAR, OCI_TAR_GZIP, tarball, text, ustarHeader } from '../spec-helpers';
import { readLayer, type LayerEntry, type LayerVisitor } from './read-layer';

/** Records what a layer says, reading the content of the files it wants. */
function recorder(wanted: (path: string) => boolean = () => true): LayerVisitor & { seen: unknown[] } {
  const seen: unknown[] = [];
  return {
    seen,
    wants: wanted,
    async visit(entry: LayerEntry) {
      if (entry.kind === 'file') seen.push({ kind: 'file', path: entry.path, content: text(await entry.read()) });
      else seen.push(entry);
    },
  };
}

async function failure(promise: Promise<unknown>): Promise<ScanFailedError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ScanFailedError);
  return error as ScanFailedError;
}

describe('readLayer', () => {
  describe('reading', () => {
    it('hands wanted files with their content and describes every other entry', async () => {
      const bytes = await gzip(
        await tarball([
          { name: 'etc/', type: 'directory' },
          { name: './etc/os-release', content: 'ID=debian\n' },
          { name: 'etc/hostname', content: 'skipped' },
          { name: 'etc/alternatives/awk', type: 'symlink', linkname: '/usr/bin/mawk' },
          { name: 'usr/bin/awk', type: 'symlink', linkname: '../../etc/alternatives/awk' },
          { name: 'etc/os-release.bak', type: 'link', linkname: 'etc/os-release' },
          { name: 'run/fifo', type: 'fifo' },
        ]),
      );
      const visitor = recorder((path) => path === '/etc/os-release');

      await readLayer(chunked(bytes, 100), OCI_TAR_GZIP, new ScanBudget(), visitor);

      expect(visitor.seen).toEqual([
        { kind: 'directory', path: '/etc' },
        { kind: 'file', path: '/etc/os-release', content: 'ID=debian\n' },
        { kind: 'other', path: '/etc/hostname' },
        { kind: 'symlink', path: '/etc/alternatives/awk', target: '/usr/bin/mawk' },
        { kind: 'symlink', path: '/usr/bin/awk', target: '/etc/alternatives/awk' },
        { kind: 'hardlink', path: '/etc/os-release.bak', target: '/etc/os-release' },
        { kind: 'other', path: '/run/fifo' },
      ]);
    });

    it('reads uncompressed tar whatever the media type claims', async () => {
      const bytes = await tarball([{ name: 'a.txt', content: 'plain' }]);
      const visitor = recorder();

      await readLayer(chunked(bytes), OCI_TAR_GZIP, new ScanBudget(), visitor);

      expect(visitor.seen).toEqual([{ kind: 'file', path: '/a.txt', content: 'plain' }]);
    });

    it('turns .wh. entries into whiteouts and .wh..wh..opq into opaque directories', async () => {
      const bytes = await tarball([{ name: 'usr/lib/python3/.wh.urllib3-1.26.5.dist-info' }, { name: 'app/node_modules/.wh..wh..opq' }]);
      const visitor = recorder();

      await readLayer(chunked(bytes), OCI_TAR, new ScanBudget(), visitor);

      expect(visitor.seen).toEqual([
        { kind: 'whiteout', path: '/usr/lib/python3/urllib3-1.26.5.dist-info' },
        { kind: 'opaque', path: '/app/node_modules' },
      ]);
    });

    it('refuses a media type that is not a filesystem layer as unsupported', async () => {
      const bytes = await tarball([{ name: 'a.txt', content: 'x' }]);

      await expect(readLayer(chunked(bytes), 'application/vnd.cncf.helm.chart.content.v1.tar+gzip', new ScanBudget(), recorder())).rejects.toBeInstanceOf(
        ScanUnsupportedError,
      );
    });

    it('fails a layer that is not gzip or tar as corrupt', async () => {
      const bytes = Buffer.concat([Buffer.from([0x1f, 0x8b, 0x08, 0x00]), Buffer.alloc(600, 7)]);

      const error = await failure(readLayer(chunked(bytes), OCI_TAR_GZIP, new ScanBudget(), recorder()));

      expect(error.reason).toBe('corrupt-layer');
    });
  });

  describe('hostile paths', () => {
    it.each([
      ['a parent-directory escape', [{ name: '../../etc/passwd', content: 'x' }], 'path-escape'],
      ['an escape hidden in the middle', [{ name: 'usr/../../etc/cron.d/x', content: 'x' }], 'path-escape'],
      ['an absolute path', [{ name: '/etc/passwd', content: 'x' }], 'absolute-path'],
      ['a hardlink out of the root', [{ name: 'passwd', type: 'link', linkname: '../../etc/shadow' }], 'link-escape'],
      ['a hardlink to an absolute path', [{ name: 'passwd', type: 'link', linkname: '/etc/shadow' }], 'link-escape'],
      ['a symlink climbing out of the root', [{ name: 'etc/x', type: 'symlink', linkname: '../../../proc/self/root' }], 'link-escape'],
    ] as const)('fails a layer with %s', async (_label, entries, reason) => {
      const bytes = await gzip(await tarball(entries));

      const error = await failure(readLayer(chunked(bytes), OCI_TAR_GZIP, new ScanBudget(), recorder()));

      expect(error.reason).toBe(reason);
    });

    it('accepts absolute symlink targets: they resolve inside the image root', async () => {
      const visitor = recorder();

      await readLayer(chunked(await tarball([{ name: 'lib', type: 'symlink', linkname: '/usr/lib' }])), OCI_TAR, new ScanBudget(), visitor);

      expect(visitor.seen).toEqual([{ kind: 'symlink', path: '/lib', target: '/usr/lib' }]);
    });
  });

  describe('bounds', () => {
    it('stops a gzip bomb at the decompressed-byte cap, having read only the start of it', async () => {
      // One tar entry claiming 1 GiB of zeros, compressed lazily: ~1 MB of gzip per GiB.
      async function* zeros(): AsyncIterable<Uint8Array> {
        yield ustarHeader('bomb', 1024 ** 3);
        const block = Buffer.alloc(1024 * 1024);
        for (let i = 0; i < 1024; i++) yield block;
      }
      const source = counted(gzipStream(zeros()));
      const budget = new ScanBudget({ maxDecompressedBytes: 4 * 1024 ** 2 });

      const error = await failure(
        readLayer(
          source.stream,
          OCI_TAR_GZIP,
          budget,
          recorder(() => false),
        ),
      );

      expect(error.reason).toBe('decompressed-bytes-exceeded');
      expect(budget.decompressedBytes).toBeLessThan(6 * 1024 ** 2);
      expect(source.produced()).toBeLessThan(512 * 1024);
    });

    it('stops an archive of a million entries at the entry cap without generating the rest', async () => {
      let generated = 0;
      async function* entries(): AsyncIterable<Uint8Array> {
        for (; generated < 1_000_000; generated++) yield ustarHeader(`f/${generated}`);
      }
      const budget = new ScanBudget({ maxEntries: 1000 });

      const error = await failure(
        readLayer(
          gzipStream(entries()),
          OCI_TAR_GZIP,
          budget,
          recorder(() => false),
        ),
      );

      expect(error.reason).toBe('entry-count-exceeded');
      expect(generated).toBeLessThan(100_000);
    });

    it('fails when a wanted file is larger than the single-file cap, before reading it', async () => {
      const bytes = await tarball([{ name: 'var/lib/dpkg/status', content: 'x'.repeat(2048) }]);

      const error = await failure(readLayer(chunked(bytes), OCI_TAR, new ScanBudget({ maxFileBytes: 1024 }), recorder()));

      expect(error.reason).toBe('file-too-large');
    });

    it('drains a large file nobody wants without holding it', async () => {
      const bytes = await tarball([{ name: 'usr/share/big', content: 'x'.repeat(100_000) }]);
      const visitor = recorder(() => false);

      await readLayer(chunked(bytes), OCI_TAR, new ScanBudget({ maxFileBytes: 1024 }), visitor);

      expect(visitor.seen).toEqual([{ kind: 'other', path: '/usr/share/big' }]);
    });

    it('fails when the deadline passes mid-layer', async () => {
      let clock = 0;
      const budget = new ScanBudget({ maxScanMillis: 1000 }, undefined, () => clock);
      const bytes = await tarball([{ name: 'a' }, { name: 'b' }]);
      const visitor: LayerVisitor = { wants: () => false, visit: () => void (clock += 5000) };

      const error = await failure(readLayer(chunked(bytes, 512), OCI_TAR, budget, visitor));

      expect(error.reason).toBe('deadline-exceeded');
    });

    it('fails at the deadline when the source stalls, without waiting for it', async () => {
      const bytes = await tarball([{ name: 'a', content: 'x'.repeat(4096) }]);
      // A storage stream that delivers 600 bytes and then never answers again (waiting would hang the test).
      const stalled = new Readable({ read: () => undefined });
      stalled.push(bytes.subarray(0, 600));
      const budget = new ScanBudget({ maxScanMillis: 150 });

      const error = await failure(
        readLayer(
          stalled,
          OCI_TAR,
          budget,
          recorder(() => false),
        ),
      );

      expect(error.reason).toBe('deadline-exceeded');
    });

    it('fails as aborted when the caller cancels', async () => {
      const controller = new AbortController();
      controller.abort();
      const bytes = await tarball([{ name: 'a' }]);

      const error = await failure(readLayer(chunked(bytes), OCI_TAR, new ScanBudget({}, controller.signal), recorder()));

      expect(error.reason).toBe('aborted');
    });
  });
});
