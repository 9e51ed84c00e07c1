import { ScanFailedError, ScanUnsupportedError } from '../errors';
import { ScanBudget } from '../limits';
import { chunked, DOCKER_LAYER, gzip, OCI_TAR, OCI_TAR_ZSTD, tarball, text } from '../spec-helpers';
import { decompressLayer, detectCompression } from './decompress';
import { readLayer, type LayerVisitor } from './read-layer';

/**
 * A layer compressed by the zstd CLI (`zstd -19 --no-check`, v1.5): a PAX tar with an Alpine os-release and
 * apk database. Node 20 has no zstd compressor and fzstd only decompresses, so the fixture is checked in.
 */
const ZSTD_LAYER = Buffer.from(
  'KLUv/WAAJ00IANKOMBYgfQbv5MVigryoxW+2VXtIBpAAyhgSru5JmCxz8+gOD0qh8MPgxk/PsBMGUTSfXn3MNlpx9ENBeGmuq/h9' +
    'm+6x3Oor7jFdAS14M/Y+3cP2H3ZfcROjuP707LZMk7Zw8iAt7BN2iXXvxr//o4JjbV4oXRmlBTkIwa6TNk0XBFMQR4hlFbdJnxad' +
    'qNLCHLepFZht+q6P4EjXgwHfdWHOAVj8PgZ4ACjIYRSdK0o3kF4AXTE4B3pPOGB60VxNePDuJr8ZGSDASAJjywGKAPAgZFcFoMDK' +
    'GDW7bmgDpJQFQhUTZmmI2ZBFiF3PyEoWpumpGg7kNU6pDUMw4QeXx35VIHDQAVamUAc=',
  'base64',
);

async function collect(source: AsyncIterable<Uint8Array>): Promise<Buffer> {
  const chunks: Uint8Array[] = [];
  for await (const chunk of source) chunks.push(chunk);
  return Buffer.concat(chunks);
}

describe('detectCompression', () => {
  it.each([
    ['gzip magic', [0x1f, 0x8b, 0x08, 0x00], 'gzip'],
    ['zstd magic', [0x28, 0xb5, 0x2f, 0xfd], 'zstd'],
    ['anything else', [0x65, 0x74, 0x63, 0x2f], 'none'],
  ] as const)('reads %s from the first bytes', (_label, head, expected) => {
    expect(detectCompression(OCI_TAR, Uint8Array.from(head))).toBe(expected);
    expect(detectCompression(DOCKER_LAYER, Uint8Array.from(head))).toBe(expected);
  });

  it('accepts media type parameters and case', () => {
    expect(detectCompression('Application/vnd.oci.image.layer.v1.tar+zstd; foo=bar', Uint8Array.from([0x28, 0xb5, 0x2f, 0xfd]))).toBe('zstd');
  });

  it('refuses artifacts that are not filesystem layers', () => {
    expect(() => detectCompression('application/vnd.in-toto+json', new Uint8Array(4))).toThrow(ScanUnsupportedError);
  });
});

describe('decompressLayer', () => {
  it('gunzips as a stream, charging the decompressed bytes', async () => {
    const tar = await tarball([{ name: 'a', content: 'hello' }]);
    const budget = new ScanBudget();

    const out = await collect(decompressLayer(chunked(await gzip(tar), 7), OCI_TAR, budget));

    expect(out.equals(tar)).toBe(true);
    expect(budget.decompressedBytes).toBe(tar.length);
  });

  it('decompresses zstd as a stream, fed a few bytes at a time', async () => {
    const budget = new ScanBudget();

    const out = await collect(decompressLayer(chunked(ZSTD_LAYER, 5), OCI_TAR_ZSTD, budget));

    expect(out.length).toBe(10240);
    expect(budget.decompressedBytes).toBe(10240);
  });

  it('reads a zstd layer through to its files', async () => {
    const files: Record<string, string> = {};
    const visitor: LayerVisitor = {
      wants: () => true,
      async visit(entry) {
        if (entry.kind === 'file') files[entry.path] = text(await entry.read());
      },
    };

    await readLayer(chunked(ZSTD_LAYER), OCI_TAR_ZSTD, new ScanBudget(), visitor);

    expect(Object.keys(files)).toEqual(['/etc/os-release', '/lib/apk/db/installed']);
    expect(files['/lib/apk/db/installed']).toBe('P:musl\nV:1.2.4_git20230717-r4\nA:x86_64\no:musl\n\n');
  });

  it('refuses a zstd frame that declares a window larger than 128 MiB, before allocating it', async () => {
    // Frame header: magic, descriptor 0x00 (window descriptor present), window 2^(10+20) = 1 GiB.
    const frame = Uint8Array.from([0x28, 0xb5, 0x2f, 0xfd, 0x00, 20 << 3, 0x01, 0x00, 0x00]);

    const error = await collect(decompressLayer(chunked(frame), OCI_TAR_ZSTD, new ScanBudget())).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(ScanFailedError);
    expect((error as ScanFailedError).reason).toBe('zstd-window-too-large');
  });

  it('fails truncated zstd data as a corrupt layer', async () => {
    const error = await collect(decompressLayer(chunked(ZSTD_LAYER.subarray(0, 100)), OCI_TAR_ZSTD, new ScanBudget())).catch((e: unknown) => e);

    expect((error as ScanFailedError).reason).toBe('corrupt-layer');
  });
});
