import { extract, type Extract, type Header } from 'tar-stream';
import { LayerSourceError, ScanError, ScanFailedError } from '../errors';
import type { ScanBudget } from '../limits';
import { decompressLayer } from './decompress';
import { basename, dirname, joinPath, normalizeEntryPath, normalizeHardlinkTarget, resolveSymlinkTarget } from './tar-paths';

/**
 * What one tar entry means for the image filesystem, as the OCI image spec's changeset rules read it.
 * Paths are canonical and absolute (see tar-paths.ts).
 */
export type LayerEntry =
  /** A regular file the visitor wants: `read()` returns its whole content, at most `maxFileBytes`. */
  | { kind: 'file'; path: string; size: number; read(): Promise<Uint8Array> }
  /** Any other non-directory (a file nobody wants, a device, a fifo): it only hides what was below. */
  | { kind: 'other'; path: string }
  | { kind: 'directory'; path: string }
  /** `target` is resolved to a canonical absolute path. */
  | { kind: 'symlink'; path: string; target: string }
  | { kind: 'hardlink'; path: string; target: string }
  /** `.wh.<name>`: `path` is deleted from the layers below. */
  | { kind: 'whiteout'; path: string }
  /** `.wh..wh..opq`: everything below `path` from the layers below is hidden. */
  | { kind: 'opaque'; path: string };

export interface LayerVisitor {
  /** Whether the inventory wants this regular file's content; the others are drained unread. */
  wants(path: string): boolean;
  /** Called once per entry, in archive order; the next entry is read only after it settles. */
  visit(entry: LayerEntry): void | Promise<void>;
}

const WHITEOUT_PREFIX = '.wh.';
const OPAQUE_MARKER = '.wh..wh..opq';

/**
 * Streams one layer (gzip, zstd or plain tar) through the visitor without ever writing to disk. Bytes,
 * entries, file sizes and time are charged to the image's budget as they stream; any violation, hostile
 * path or corrupt archive rejects with a ScanFailedError and stops reading the source. A media type that
 * is not a filesystem layer rejects with ScanUnsupportedError; a failing source with LayerSourceError.
 */
export async function readLayer(source: AsyncIterable<Uint8Array>, mediaType: string, budget: ScanBudget, visitor: LayerVisitor): Promise<void> {
  const archive = extract();
  // Settled at once so a feed failure is never an unhandled rejection while entries are being visited.
  const fed = feed(decompressLayer(source, mediaType, budget), archive).then(
    () => undefined,
    (error: unknown) => error ?? new Error('layer source failed'),
  );
  try {
    for await (const stream of archive) {
      budget.chargeEntry();
      const entry = describe(stream.header, stream as AsyncIterable<Uint8Array>, budget, visitor);
      await visitor.visit(entry);
      // Whatever the visitor did not read is drained so the archive moves on.
      for await (const _ of stream as AsyncIterable<Uint8Array>) budget.checkTime();
    }
  } catch (error) {
    archive.destroy(null);
    const feedError = await fed;
    // The byte cap fires in the feed and reaches the loop as a destroyed parser: report the cause.
    throw asScanFailure(error instanceof ScanError ? error : (feedError ?? error));
  }
  const feedError = await fed;
  if (feedError !== undefined) throw asScanFailure(feedError);
}

/** Pumps decompressed bytes into the tar parser with backpressure; a source error destroys the parser. */
async function feed(chunks: AsyncIterable<Uint8Array>, archive: Extract): Promise<void> {
  try {
    for await (const chunk of chunks) {
      if (archive.destroyed) return;
      if (!archive.write(chunk)) {
        await new Promise<void>((resolve) => {
          const settle = (): void => {
            archive.off('drain', settle);
            archive.off('close', settle);
            resolve();
          };
          archive.on('drain', settle);
          archive.on('close', settle);
        });
      }
    }
    archive.end(null);
  } catch (error) {
    archive.destroy(error as Error);
    throw error;
  }
}

function describe(header: Header, stream: AsyncIterable<Uint8Array>, budget: ScanBudget, visitor: LayerVisitor): LayerEntry {
  const path = normalizeEntryPath(header.name);
  const name = basename(path);
  if (name === OPAQUE_MARKER) return { kind: 'opaque', path: dirname(path) };
  if (name.startsWith(WHITEOUT_PREFIX)) return { kind: 'whiteout', path: joinPath(dirname(path), name.slice(WHITEOUT_PREFIX.length)) };
  switch (header.type) {
    case 'directory':
      return { kind: 'directory', path };
    case 'symlink':
      return { kind: 'symlink', path, target: resolveSymlinkTarget(path, header.linkname || '') };
    case 'link':
      return { kind: 'hardlink', path, target: normalizeHardlinkTarget(path, header.linkname || '') };
    case 'file':
    case 'contiguous-file':
      return visitor.wants(path) ? fileEntry(path, header.size || 0, budget, stream) : { kind: 'other', path };
    default:
      return { kind: 'other', path };
  }
}

function fileEntry(path: string, size: number, budget: ScanBudget, stream: AsyncIterable<Uint8Array>): LayerEntry {
  return {
    kind: 'file',
    path,
    size,
    async read() {
      budget.chargeCapturedFile(path, size);
      const content = new Uint8Array(size);
      let offset = 0;
      for await (const chunk of stream) {
        if (offset + chunk.length > size) throw new ScanFailedError('corrupt-layer', `${path} is longer than its header`);
        content.set(chunk, offset);
        offset += chunk.length;
      }
      if (offset !== size) throw new ScanFailedError('corrupt-layer', `${path} is truncated`);
      return content;
    },
  };
}

function asScanFailure(error: unknown): unknown {
  if (error instanceof ScanError || error instanceof LayerSourceError) return error;
  return new ScanFailedError('corrupt-layer', error instanceof Error ? error.message : undefined, { cause: error });
}
