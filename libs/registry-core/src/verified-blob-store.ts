import { pipeline, Transform, type Readable, type TransformCallback } from 'node:stream';
import { createDigester, parseDigest, type Digest, type Digester } from '@cargohold/oci';
import { ManifestCorruptError } from './errors';
import { BlobCorruptError, type BeforePublish, type BlobStore, type ByteRange, type Found } from '@cargohold/storage-ports';

/**
 * Counts (and, for a whole blob, hashes) a body as it streams, and errors it, instead of ending it, when
 * it comes up short, runs long or does not hash to its digest. The last chunk of a hashed body is held
 * back until the hash matched: a client reading a Content-Length response then never receives its last
 * byte from bad bytes, so an aborted connection is an error to it, never a silent success.
 */
class CheckedBody extends Transform {
  private received = 0;
  private held: Buffer | undefined;

  constructor(
    private readonly digest: Digest,
    private readonly length: number,
    private readonly digester: Digester | undefined,
    private readonly onCorrupt: () => Promise<void>,
  ) {
    super();
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback): void {
    this.received += chunk.length;
    if (this.received > this.length) return this.fail(`more than the ${this.length} bytes stored`, done);
    if (!this.digester) return done(null, chunk);
    this.digester.update(chunk);
    if (this.held) this.push(this.held);
    this.held = chunk;
    done();
  }

  override _flush(done: TransformCallback): void {
    if (this.received < this.length) return this.fail(`read ${this.received} of ${this.length} bytes`, done);
    const computed = this.digester?.digest();
    if (computed !== undefined && computed !== this.digest) return this.fail(`the bytes hash to ${computed}`, done);
    done(null, this.held);
  }

  private fail(reason: string, done: TransformCallback): void {
    this.held = undefined;
    // The mark is best effort: when it fails, the next whole read finds the bytes bad again.
    void this.onCorrupt()
      .catch(() => undefined)
      .then(() => done(new BlobCorruptError(this.digest, reason)));
  }
}

const noop = () => undefined;

/**
 * A BlobStore whose reads are checked against what the digest promises (behaviour by decoration: every
 * adapter gets it). A whole read is hashed on the way out; one whose bytes do not hash to the digest,
 * or that is shorter or longer than the size the store reported when opened, errors its stream before
 * the end (so the HTTP edge destroys the connection instead of ending the response) and quarantines
 * the blob, so later reads find it unknown and a re-push publishes fresh bytes. A range over the whole
 * blob counts as a whole read. Any other ranged read cannot be hashed; it is only counted, and a short one errors without a verdict on the blob (the size checks of
 * the blob service catch a truncated file before serving it).
 *
 * Writes pass through: the core's verifying writer already checked them (invariant 2).
 */
export class VerifiedBlobStore implements BlobStore {
  constructor(private readonly inner: BlobStore) {}

  stat(digest: Digest): Promise<Found<{ size: number }>> {
    return this.inner.stat(digest);
  }

  async open(digest: Digest, range?: ByteRange): Promise<Found<{ size: number; body: Readable }>> {
    const opened = await this.inner.open(digest, range);
    if (!opened.found) return opened;
    // A range over the whole blob (`bytes=0-`, as containerd asks to be able to resume) is hashed too.
    const whole = !range || (range.start === 0 && range.end === opened.size - 1);
    const check = whole
      ? new CheckedBody(digest, opened.size, createDigester(parseDigest(digest).algorithm), () => this.inner.quarantine(digest))
      : new CheckedBody(digest, range.end - range.start + 1, undefined, async () => undefined);
    return { found: true, size: opened.size, body: pipeline(opened.body, check, noop) };
  }

  put(digest: Digest, body: AsyncIterable<Uint8Array>, verify: BeforePublish): Promise<{ size: number }> {
    return this.inner.put(digest, body, verify);
  }

  delete(digest: Digest): Promise<void> {
    return this.inner.delete(digest);
  }

  quarantine(digest: Digest): Promise<void> {
    return this.inner.quarantine(digest);
  }
}

/** Stored bytes found bad (and quarantined): an expected answer to the client, but news to the operator. */
export function isStoredBytesCorruption(error: unknown): boolean {
  return error instanceof BlobCorruptError || error instanceof ManifestCorruptError;
}

export type StoredBlobCheck = { status: 'ok'; size: number } | { status: 'missing' } | { status: 'corrupt'; reason: string };

/**
 * Reads a stored blob whole and says whether its bytes still hash to its digest, without marking
 * anything (a scrub reports first, and repairs only when asked). `onBytes` sees each chunk's length.
 */
export async function checkStoredBlob(blobs: BlobStore, digest: Digest, onBytes: (count: number) => void = noop): Promise<StoredBlobCheck> {
  const opened = await blobs.open(digest);
  if (!opened.found) return { status: 'missing' };
  const digester = createDigester(parseDigest(digest).algorithm);
  try {
    for await (const chunk of opened.body as AsyncIterable<Buffer>) {
      digester.update(chunk);
      onBytes(chunk.length);
    }
  } catch (error) {
    return { status: 'corrupt', reason: `unreadable: ${error instanceof Error ? error.message : String(error)}` };
  }
  if (digester.bytes !== opened.size) return { status: 'corrupt', reason: `read ${digester.bytes} of ${opened.size} bytes` };
  const computed = digester.digest();
  return computed === digest ? { status: 'ok', size: opened.size } : { status: 'corrupt', reason: `the bytes hash to ${computed}` };
}
