import { digestOf } from '@cargohold/oci';
import { createMemoryStorage } from '@cargohold/storage-memory';
import { DigestMismatchError, SizeLimitError, SizeMismatchError } from '@cargohold/storage-ports';
import { bodyOf, bytesOf, readAll, tracked } from '@cargohold/storage-testing';
import { putVerified } from './verified-put';

const NO_LIMIT = { maxBytes: 1 << 24 };

describe('putVerified', () => {
  let blobs: ReturnType<typeof createMemoryStorage>['blobs'];
  beforeEach(() => {
    blobs = createMemoryStorage().blobs;
  });

  it('stores a blob whose bytes match its digest, sha256 or sha512', async () => {
    const bytes = bytesOf(3000, 3);
    await expect(putVerified(blobs, digestOf(bytes), bodyOf(bytes), NO_LIMIT)).resolves.toEqual({ size: 3000 });
    await expect(putVerified(blobs, digestOf(bytes, 'sha512'), bodyOf(bytes), NO_LIMIT)).resolves.toEqual({ size: 3000 });
    expect(await blobs.stat(digestOf(bytes, 'sha512'))).toEqual({ found: true, size: 3000 });
  });

  it('rejects a digest mismatch and stores nothing', async () => {
    const bytes = bytesOf(500);
    const claimed = digestOf(bytesOf(500, 2));
    await expect(putVerified(blobs, claimed, bodyOf(bytes), NO_LIMIT)).rejects.toBeInstanceOf(DigestMismatchError);
    expect(await blobs.stat(claimed)).toEqual({ found: false });
    expect(await blobs.stat(digestOf(bytes))).toEqual({ found: false });
  });

  it('treats a put of an existing digest as a no-op that still drains and verifies the body', async () => {
    const bytes = bytesOf(800);
    const digest = digestOf(bytes);
    await putVerified(blobs, digest, bodyOf(bytes), NO_LIMIT);
    const again = tracked(bodyOf(bytes));
    await expect(putVerified(blobs, digest, again.body, NO_LIMIT)).resolves.toEqual({ size: 800 });
    expect(again.drained()).toBe(true);

    await expect(putVerified(blobs, digest, bodyOf(bytesOf(800, 9)), NO_LIMIT)).rejects.toBeInstanceOf(DigestMismatchError);
    const opened = await blobs.open(digest);
    if (!opened.found) throw new Error('blob not found');
    expect((await readAll(opened.body)).equals(bytes)).toBe(true);
  });

  it("replaces a stored blob whose size is not the body's, once the body verified", async () => {
    const bytes = bytesOf(800);
    const digest = digestOf(bytes);
    blobs.keep(digest, bytes.subarray(0, 300));

    await expect(putVerified(blobs, digest, bodyOf(bytesOf(800, 9)), { ...NO_LIMIT, expectedSize: 800 })).rejects.toBeInstanceOf(DigestMismatchError);
    expect(await blobs.stat(digest)).toEqual({ found: true, size: 300 });

    await expect(putVerified(blobs, digest, bodyOf(bytes), { ...NO_LIMIT, expectedSize: 800 })).resolves.toEqual({ size: 800 });
    const opened = await blobs.open(digest);
    if (!opened.found) throw new Error('blob not found');
    expect((await readAll(opened.body)).equals(bytes)).toBe(true);
    expect(blobs.quarantined.get(digest)?.length).toBe(300);
  });

  it('accepts a body of exactly maxBytes', async () => {
    const bytes = bytesOf(100);
    await expect(putVerified(blobs, digestOf(bytes), bodyOf(bytes, 7), { maxBytes: 100 })).resolves.toEqual({ size: 100 });
  });

  it('throws SizeLimitError past maxBytes and stores nothing', async () => {
    const bytes = bytesOf(101);
    await expect(putVerified(blobs, digestOf(bytes), bodyOf(bytes, 7), { maxBytes: 100 })).rejects.toBeInstanceOf(SizeLimitError);
    expect(await blobs.stat(digestOf(bytes))).toEqual({ found: false });
  });

  it('throws SizeMismatchError for a body shorter or longer than declared and stores nothing', async () => {
    const bytes = bytesOf(100);
    await expect(putVerified(blobs, digestOf(bytes), bodyOf(bytes), { ...NO_LIMIT, expectedSize: 101 })).rejects.toBeInstanceOf(SizeMismatchError);
    await expect(putVerified(blobs, digestOf(bytes), bodyOf(bytes, 10), { ...NO_LIMIT, expectedSize: 99 })).rejects.toBeInstanceOf(SizeMismatchError);
    expect(await blobs.stat(digestOf(bytes))).toEqual({ found: false });
  });
});
