import { UploadOffsetMismatchError, UploadUnknownError } from '@cargohold/storage-ports';
import { isConditionFailed, S3StorageError } from './s3-errors';
import type { S3Layout } from './s3-layout';
import type { S3Objects } from './s3-objects';
import { decodeState, encodeState, stagedSize, type UploadState } from './upload-state';

/** How often a state.json that does not parse is read before it counts as corrupt (see tryLoad). */
const TORN_READ_ATTEMPTS = 4;

/** A loaded manifest and the ETag a conditional rewrite must match. */
export interface Loaded {
  readonly state: UploadState;
  readonly etag: string;
}

/** Each upload's `uploads/<id>/state.json` (upload-state.ts): read, and rewritten only over the version read. */
export class UploadStateFile {
  constructor(
    private readonly objects: S3Objects,
    private readonly layout: S3Layout,
  ) {}

  /**
   * state.json as last written. S3 never serves a half-written object, but s3rver (the emulator the
   * contract suites run on) streams the file while a concurrent PUT rewrites it; so a state that does not
   * parse is read again a few times before it counts as corrupt. On S3 a retry reads the same bytes.
   */
  async tryLoad(id: string): Promise<Loaded | undefined> {
    const key = this.layout.stateKey(id);
    for (let attempt = 1; ; attempt++) {
      const read = await this.objects.read(key);
      if (!read) return undefined;
      try {
        return { state: decodeState(read.bytes), etag: read.etag };
      } catch (error) {
        if (attempt >= TORN_READ_ATTEMPTS) throw new S3StorageError(`read of ${key}`, error);
        await new Promise((resolve) => setTimeout(resolve, 10 * attempt));
      }
    }
  }

  async load(id: string): Promise<Loaded> {
    const loaded = await this.tryLoad(id);
    if (!loaded) throw new UploadUnknownError(id);
    return loaded;
  }

  /** Rewrites state.json if it is still the version read; otherwise another writer moved the upload on. */
  async save(id: string, state: UploadState, etag: string, offset: number): Promise<void> {
    try {
      await this.objects.put(this.layout.stateKey(id), encodeState(state), { ifMatch: etag });
    } catch (error) {
      if (!isConditionFailed(error)) throw error;
      throw new UploadOffsetMismatchError(offset, stagedSize((await this.load(id)).state));
    }
  }
}
