import { mkdirSync, rmSync } from 'node:fs';
import { mkdir, open } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { DigestAlgorithm } from '@cargohold/oci';

/**
 * On-disk layout of the fs blob adapter, all under one root on one filesystem (so `rename` is atomic):
 *
 *   <root>/
 *   ├── blobs/                       verified, addressable bytes; a file appears here only by rename,
 *   │   ├── sha256/                  after its digest was computed and matched (invariant 2)
 *   │   │   └── <hex[0:2]>/<hex>     e.g. blobs/sha256/ab/ab12…ef
 *   │   └── sha512/<hex[0:2]>/<hex>
 *   ├── uploads/                     resumable uploads, by (UUID) upload id
 *   │   ├── <id>.data                staged bytes; `uploads.list()` + `abort` purge orphans
 *   │   ├── <id>.hashstates/<alg>/<offset>   the core's saved hash state after <offset> bytes (the
 *   │   │                            latest only; written after the bytes are durable, by rename)
 *   │   └── <id>/                    an upload staged by an earlier version, a directory (`data`, and
 *   │                                `hashstates/<alg>/<offset>`): still read, appended, committed, purged.
 *   │                                (Names that are not bare ids are ignored by those versions: one
 *   │                                rolled back to drops the uploads in progress as stranded, no more.)
 *   ├── tmp/<uuid>                   monolithic puts in flight; wiped when an adapter is constructed
 *   └── corrupt/<alg>/<hex>          bytes that failed verification, moved out of blobs/ by rename (so a
 *                                    re-push publishes afresh); kept for inspection, never read again
 *
 * Durability: bytes are fsynced before the rename that publishes them, and the directory after it.
 * A process killed at any point leaves only tmp/ or uploads/ behind, never a partial blob.
 */
const DATA_SUFFIX = '.data';
const HASH_STATES_SUFFIX = '.hashstates';

export class FsLayout {
  readonly blobsDir: string;
  readonly uploadsDir: string;
  readonly tmpDir: string;
  readonly corruptDir: string;

  constructor(readonly root: string) {
    this.blobsDir = join(root, 'blobs');
    this.corruptDir = join(root, 'corrupt');
    this.uploadsDir = join(root, 'uploads');
    this.tmpDir = join(root, 'tmp');
  }

  /** Creates the tree and discards tmp files left by a previous process (synchronous: runs at startup). */
  prepare(): void {
    mkdirSync(this.blobsDir, { recursive: true });
    mkdirSync(this.uploadsDir, { recursive: true });
    rmSync(this.tmpDir, { recursive: true, force: true });
    mkdirSync(this.tmpDir, { recursive: true });
  }

  /** Callers pass a hex already validated by parseDigest, so it can only be [0-9a-f]. */
  blobPath(algorithm: DigestAlgorithm, hex: string): string {
    return join(this.blobsDir, algorithm, hex.slice(0, 2), hex);
  }

  corruptPath(algorithm: DigestAlgorithm, hex: string): string {
    return join(this.corruptDir, algorithm, hex);
  }

  /**
   * The staged bytes of an upload: the file `uploads/<id>.data` (one entry to create, fsync and rename),
   * or `uploads/<id>/data` in an upload staged by an earlier version (`legacy`). Callers pass an id
   * already validated by isUploadId.
   */
  uploadData(id: string, legacy = false): string {
    return legacy ? join(this.legacyUploadDir(id), 'data') : join(this.uploadsDir, `${id}${DATA_SUFFIX}`);
  }

  /** `uploads/<id>/`: the folder of an upload staged by an earlier version. */
  legacyUploadDir(id: string): string {
    return join(this.uploadsDir, id);
  }

  /** Where an upload's hash states go, beside its bytes: removed with them (`abort`, `commit`). */
  hashStatesRoot(id: string, legacy = false): string {
    return legacy ? join(this.legacyUploadDir(id), 'hashstates') : join(this.uploadsDir, `${id}${HASH_STATES_SUFFIX}`);
  }

  hashStatesDir(id: string, algorithm: DigestAlgorithm, legacy = false): string {
    return join(this.hashStatesRoot(id, legacy), algorithm);
  }

  /** The upload an entry of uploads/ belongs to (`<id>`, `<id>.data`, `<id>.hashstates`), unchecked. */
  uploadOf(name: string): string {
    for (const suffix of [DATA_SUFFIX, HASH_STATES_SUFFIX]) if (name.endsWith(suffix)) return name.slice(0, -suffix.length);
    return name;
  }

  tmpPath(name: string): string {
    return join(this.tmpDir, name);
  }
}

/** fsync on a directory makes the entries created, renamed or removed in it durable. */
export async function fsyncDir(dir: string): Promise<void> {
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** mkdir -p, then fsync the parent of every directory it created so the new entries survive a crash. */
export async function ensureDir(dir: string, sync: (dir: string) => Promise<void> = fsyncDir): Promise<void> {
  const first = await mkdir(dir, { recursive: true });
  if (first === undefined) return;
  const stop = dirname(first);
  for (let at = dirname(dir); ; at = dirname(at)) {
    await sync(at);
    if (at === stop || at === dirname(at)) return;
  }
}

export const isNotFound = (error: unknown): boolean => (error as NodeJS.ErrnoException | undefined)?.code === 'ENOENT';
