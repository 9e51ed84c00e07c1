import type { Readable } from 'node:stream';
import { isUploadId, parseDigest, type Digest } from '@cargohold/oci';
import { KeyedMutex, UploadOffsetMismatchError, UploadUnknownError } from '@cargohold/storage-ports';
import type { BlobUploads, Found, HashState } from '@cargohold/storage-ports';
import { PartPipeline } from './part-pipeline';
import { S3BlobIndex } from './s3-blob-index';
import { isConditionFailed, S3StorageError } from './s3-errors';
import type { S3Objects } from './s3-objects';
import { PARTS_IN_FLIGHT, partSize, type S3Layout } from './s3-layout';
import { UploadStateFile, type Loaded } from './upload-state-file';
import { EMPTY_UPLOAD, encodeHash, encodeState, nextPartNumber, partsInOrder, stagedSize, type MultipartState, type UploadState } from './upload-state';

/** What one append or commit staged so far: undone if it fails, superseded objects freed if it succeeds. */
class Change {
  readonly created: string[] = [];
  readonly superseded: string[] = [];
  opened?: { key: string; uploadId: string };
}

/** Staged bytes reduced to at most one object (`key`), and the state that says so. */
interface Assembled {
  readonly key?: string;
  readonly size: number;
  readonly state: UploadState;
}

/**
 * Resumable uploads over S3 (layout in s3-layout.ts), for stateless callers: every call re-reads the
 * upload's state.json, so any process (any Lambda invocation) can continue an upload another began.
 *
 * - Appends: bytes are cut into parts of one S3 multipart upload (opened at the first full part, at a
 *   data key), sized by part number (partSize in s3-layout.ts); full parts are sent while the next one
 *   fills (PARTS_IN_FLIGHT at a time). What is left over is rewritten as a new tail object, so chunks of
 *   any size can arrive. state.json is then rewritten with If-Match on the ETag read at the start,
 *   carrying the core's hash state for the new size: that write is the append's commit point (of the
 *   bytes and the state alike), so a body failing midway leaves the upload at its previous size (stray
 *   parts beyond the recorded ones are overwritten by the next append and ignored by
 *   CompleteMultipartUpload). Appends to one id are serialized in this process; across processes the
 *   If-Match makes the loser fail with UploadOffsetMismatchError. Endpoints that ignore If-Match (s3rver)
 *   leave one writer per upload as an assumption, which the OCI flow gives (a client PATCHes one chunk
 *   at a time).
 * - `read` and commit (called once the core verified the digest) complete the staged bytes into one
 *   object (S3 cannot read the parts of an unfinished multipart upload). Commit then publishes that data
 *   object in place, behind a pointer at blobs/<alg>/<hex> (no copy of the bytes), in the order
 *   s3-layout.ts gives; an upload of less than one part, or staged by an older version under
 *   uploads/<id>/, is copied there instead.
 * - A crash between CompleteMultipartUpload and the state.json rewrite of a commit strands the upload
 *   (its state names a finished multipart upload); the client gets an error and must start over.
 */
export class S3BlobUploads implements BlobUploads {
  private readonly locks = new KeyedMutex();
  private readonly index: S3BlobIndex;
  private readonly states: UploadStateFile;

  constructor(
    private readonly objects: S3Objects,
    private readonly layout: S3Layout,
    /** The part schedule (s3-layout.ts); specs pass smaller ones. */
    private readonly schedule: (number: number) => number = partSize,
  ) {
    this.index = new S3BlobIndex(objects, layout);
    this.states = new UploadStateFile(objects, layout);
  }

  async create(id: string): Promise<void> {
    const valid = validId(id);
    await this.locks.run(valid, async () => {
      const key = this.layout.stateKey(valid);
      if ((await this.objects.size(key)) !== undefined) return;
      try {
        await this.objects.put(key, encodeState(EMPTY_UPLOAD), { ifNoneMatch: '*' });
      } catch (error) {
        if (!isConditionFailed(error)) throw error;
      }
    });
  }

  async append(id: string, offset: number, body: AsyncIterable<Uint8Array>, hashState?: () => HashState): Promise<{ size: number }> {
    const valid = validId(id);
    return this.locks.run(valid, async () => {
      const loaded = await this.states.load(valid);
      const current = stagedSize(loaded.state);
      if (offset !== current) throw new UploadOffsetMismatchError(offset, current);

      const change = new Change();
      let size = offset;
      try {
        let next = await this.stage(
          valid,
          loaded.state,
          counted(body, (n) => (size += n)),
          change,
        );
        if (hashState) next = { ...next, hash: encodeHash(hashState()) };
        if (next !== loaded.state) await this.states.save(valid, next, loaded.etag, offset);
      } catch (error) {
        await this.undo(change);
        throw error;
      }
      await this.discard(loaded.state, change.superseded);
      return { size };
    });
  }

  async status(id: string): Promise<Found<{ size: number; hashState?: HashState }>> {
    if (!isUploadId(id)) return { found: false };
    const loaded = await this.states.tryLoad(id);
    if (!loaded) return { found: false };
    const size = stagedSize(loaded.state);
    const hash = loaded.state.hash;
    if (!hash || hash.offset > size) return { found: true, size };
    return { found: true, size, hashState: { algorithm: hash.algorithm, offset: hash.offset, state: new Uint8Array(Buffer.from(hash.state, 'base64')) } };
  }

  async *read(id: string, start: number): AsyncIterable<Uint8Array> {
    const valid = validId(id);
    const staged = await this.locks.run(valid, async () => this.assemble(valid, await this.states.load(valid)));
    if (staged.key === undefined || start >= staged.size) return;
    const opened = await this.objects.open(staged.key, { start, end: staged.size - 1 });
    if (!opened) throw new S3StorageError('GetObject', new Error(`staged ${staged.key} is missing`));
    yield* opened.body as AsyncIterable<Buffer>;
  }

  /**
   * Publishes the staged bytes under `digest` unless a blob is there already (also the case when an
   * earlier try of this commit died after its pointer), then ends the upload, keeping what was published.
   */
  async commit(id: string, digest: Digest, size: number): Promise<void> {
    const valid = validId(id);
    await this.locks.run(valid, async () => {
      const loaded = await this.states.load(valid);
      const current = stagedSize(loaded.state);
      if (current !== size) throw new UploadOffsetMismatchError(size, current);
      let state = loaded.state;
      if ((await this.index.locate(digest)) === undefined) {
        const staged = await this.assemble(valid, loaded, digest);
        state = staged.state;
        await this.publish(valid, digest, staged);
      }
      await this.remove(valid, state);
    });
  }

  async abort(id: string): Promise<void> {
    if (!isUploadId(id)) return;
    await this.locks.run(id, async () => this.remove(id, (await this.states.tryLoad(id))?.state));
  }

  /** Every id with anything under uploads/<id>/ (a half-purged orphan too, so `abort` can finish it). */
  async *list(): AsyncIterable<string> {
    const seen = new Set<string>();
    for await (const child of this.objects.children(this.layout.uploadsPrefix)) {
      if (isUploadId(child) && !seen.has(child)) {
        seen.add(child);
        yield child;
      }
    }
  }

  /**
   * Feeds the old tail and then the body into parts, and stores the remainder as a new tail. Returns the
   * state naming them (not saved yet), or `state` itself when the body was empty and nothing changed.
   */
  private async stage(id: string, state: UploadState, chunks: AsyncIterable<Buffer>, change: Change): Promise<UploadState> {
    const next = structuredClone(state);
    const pipeline = new PartPipeline(nextPartNumber(state), (number, part) => this.addPart(id, next, number, part, change), this.schedule, PARTS_IN_FLIGHT);
    let changed = false;
    try {
      for await (const chunk of chunks) {
        if (!changed && state.tail) {
          for await (const bytes of await this.openTail(state.tail.key)) await pipeline.write(bytes as Buffer);
          change.superseded.push(state.tail.key);
        }
        changed = true;
        await pipeline.write(chunk);
      }
      await pipeline.flush();
    } catch (error) {
      await pipeline.settle();
      throw error;
    }
    if (!changed) return state;
    if (next.multipart) next.multipart.parts = partsInOrder(next.multipart.parts);

    const rest = pipeline.rest();
    next.tail = undefined;
    if (rest.length > 0) {
      const key = this.layout.tailKey(id);
      change.created.push(key);
      await this.objects.put(key, rest);
      next.tail = { key, size: rest.length };
    }
    return next;
  }

  /**
   * Uploads `part` as part `number` of the upload's multipart upload (opening it at the first part, which
   * PartPipeline sends alone); mutates `state`. Parts may be stored out of order; `stage` orders them.
   */
  private async addPart(id: string, state: UploadState, number: number, part: Buffer, change: Change): Promise<void> {
    const multipart = state.multipart ?? (await this.openMultipart(id, state, change));
    state.multipart = multipart;
    state.base = undefined;
    multipart.parts.push(await this.objects.uploadPart(multipart.key, multipart.uploadId, number, part, part.length));
  }

  /** A new multipart upload at a fresh data key, whose first parts are the base's bytes, if there is a base. */
  private async openMultipart(id: string, state: UploadState, change: Change): Promise<MultipartState> {
    const key = this.layout.dataKey(id);
    const uploadId = await this.objects.createMultipart(key);
    change.opened = { key, uploadId };
    if (!state.base) return { key, uploadId, parts: [] };
    change.superseded.push(state.base.key);
    return { key, uploadId, parts: await this.objects.copyIntoParts(state.base.key, state.base.size, key, uploadId, 1) };
  }

  /**
   * Reduces the staged bytes to at most one object: the lone base or tail as they are, otherwise the
   * completed multipart upload (tail as its last part), which becomes the new base in state.json. A commit
   * passes the digest it will publish a data object under, and the state saved says so (`publishing`).
   */
  private async assemble(id: string, { state, etag }: Loaded, publishing?: Digest): Promise<Assembled> {
    const size = stagedSize(state);
    if (!state.multipart && !(state.base && state.tail)) {
      const only = state.base ?? state.tail;
      if (!publishing || !state.base || this.layout.inUpload(id, state.base.key) || state.publishing === publishing) return { key: only?.key, size, state };
      const marked = { ...state, publishing };
      await this.states.save(id, marked, etag, size);
      return { key: state.base.key, size, state: marked };
    }
    const change = new Change();
    let multipart: MultipartState;
    try {
      multipart = state.multipart ?? (await this.openMultipart(id, state, change));
      const parts = [...multipart.parts];
      if (state.tail) {
        const tail = await this.openTail(state.tail.key);
        parts.push(await this.objects.uploadPart(multipart.key, multipart.uploadId, parts.length + 1, tail, state.tail.size));
        change.superseded.push(state.tail.key);
      }
      await this.objects.completeMultipart(multipart.key, multipart.uploadId, parts);
    } catch (error) {
      await this.undo(change);
      throw error;
    }
    const next: UploadState = {
      version: 1,
      base: { key: multipart.key, size },
      ...(state.hash ? { hash: state.hash } : {}),
      ...(publishing ? { publishing } : {}),
    };
    await this.states.save(id, next, etag, size);
    await this.discard(state, change.superseded);
    return { key: multipart.key, size, state: next };
  }

  /**
   * Makes the assembled bytes addressable under `digest`: a data object by its pointer (state.json says
   * `publishing` already), anything under uploads/<id>/ (a tail under one part, data an older version
   * staged there) by a server-side copy, as that prefix goes with the upload.
   */
  private async publish(id: string, digest: Digest, staged: Assembled): Promise<void> {
    const { algorithm, hex } = parseDigest(digest);
    const target = this.layout.blobKey(algorithm, hex);
    if (staged.key === undefined) await this.objects.put(target, Buffer.alloc(0));
    else if (this.layout.inUpload(id, staged.key)) await this.objects.copy(staged.key, target, staged.size);
    else await this.index.point(digest, staged.key, staged.size);
  }

  /** The tail's bytes as a stream: a tail may be nearly a whole part, which the pipeline holds already. */
  private async openTail(key: string): Promise<Readable> {
    const tail = await this.objects.open(key);
    if (!tail) throw new S3StorageError('GetObject', new Error(`tail ${key} is missing`));
    return tail.body;
  }

  /**
   * Frees the multipart upload and the data objects the upload owns (never one its commit published),
   * then state.json (the upload is now unknown), then every other object under uploads/<id>/. Data
   * outside that prefix goes first, while state.json still names it, so a failure here can be retried.
   */
  private async remove(id: string, state: UploadState | undefined): Promise<void> {
    if (state?.multipart) await this.objects.abortMultipart(state.multipart.key, state.multipart.uploadId);
    const data = [state?.multipart?.key, state?.base?.key].filter((key): key is string => key !== undefined && !this.layout.inUpload(id, key));
    const owned = await this.index.unpublished(state?.publishing, data);
    await Promise.all(owned.map((key) => this.objects.delete(key)));
    await this.objects.delete(this.layout.stateKey(id));
    const keys: string[] = [];
    for await (const key of this.objects.keys(this.layout.uploadPrefix(id))) keys.push(key);
    await Promise.all(keys.map((key) => this.objects.delete(key)));
  }

  /** Best effort after the outcome is decided (keeping data `state`'s commit published): leftovers are orphans that commit/abort sweep. */
  private async discard(state: UploadState, keys: readonly string[]): Promise<void> {
    const owned = await this.index.unpublished(state.publishing, keys).catch(() => []);
    await Promise.all(owned.map((key) => this.objects.delete(key).catch(() => undefined)));
  }

  private async undo(change: Change): Promise<void> {
    if (change.opened) await this.objects.abortMultipart(change.opened.key, change.opened.uploadId).catch(() => undefined);
    await Promise.all(change.created.map((key) => this.objects.delete(key).catch(() => undefined)));
  }
}

function validId(id: string): string {
  if (!isUploadId(id)) throw new UploadUnknownError(id.slice(0, 64));
  return id;
}

/** Passes `body` through as Buffers, reporting each chunk's length. */
async function* counted(body: AsyncIterable<Uint8Array>, onChunk: (length: number) => void): AsyncGenerator<Buffer> {
  for await (const chunk of body) {
    onChunk(chunk.length);
    yield Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
  }
}
