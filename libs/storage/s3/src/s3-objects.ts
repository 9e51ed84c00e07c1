import { Readable } from 'node:stream';
import { buffer } from 'node:stream/consumers';
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CopyObjectCommand,
  CreateMultipartUploadCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListMultipartUploadsCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  UploadPartCommand,
  UploadPartCopyCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { HttpRequest } from '@smithy/protocol-http';
import { isNotFound, isUnsupported, s3Call, s3Failure, S3StorageError } from './s3-errors';
import { copyPartCount, MAX_SINGLE_COPY, partSize } from './s3-layout';

/** A part of a multipart upload as CompleteMultipartUpload needs it, plus its length. */
export interface CompletedPart {
  readonly number: number;
  readonly etag: string;
  readonly size: number;
}

/** Conditions on a write: `ifMatch` an ETag, or `ifNoneMatch: '*'` (create only). */
export interface WriteConditions {
  readonly ifMatch?: string;
  readonly ifNoneMatch?: '*';
}

/** What HeadObject tells: the size and the user metadata (names lowercased, without `x-amz-meta-`). */
export interface ObjectHead {
  readonly size: number;
  readonly metadata: Readonly<Record<string, string>>;
}

/** An object being read: its whole size, ETag and metadata, and the requested bytes. */
export interface OpenedObject extends ObjectHead {
  readonly etag: string;
  readonly body: Readable;
}

/**
 * The S3 operations the blob adapter needs, on one bucket, each behind the vendor-error boundary.
 * Misses come back as `undefined`; the SDK's types stop here.
 */
export class S3Objects {
  constructor(
    private readonly client: S3Client,
    readonly bucket: string,
  ) {}

  async size(key: string): Promise<number | undefined> {
    return (await this.head(key))?.size;
  }

  /** The object's size and user metadata (`x-amz-meta-*`: names lowercased, without the prefix). */
  async head(key: string): Promise<ObjectHead | undefined> {
    try {
      const head = await this.client.send(new HeadObjectCommand({ Bucket: this.bucket, Key: key }));
      return { size: head.ContentLength ?? 0, metadata: head.Metadata ?? {} };
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw s3Failure('HeadObject', error);
    }
  }

  /** Streams the object (or the inclusive byte range of it) and reports the whole object's size and its metadata. */
  async open(key: string, range?: { start: number; end: number }): Promise<OpenedObject | undefined> {
    try {
      const got = await this.client.send(
        new GetObjectCommand({ Bucket: this.bucket, Key: key, Range: range ? `bytes=${range.start}-${range.end}` : undefined }),
      );
      if (!(got.Body instanceof Readable)) throw new Error('GetObject returned no Node.js stream');
      const [etag, metadata] = [got.ETag ?? '', got.Metadata ?? {}];
      if (!range) return { size: got.ContentLength ?? 0, etag, metadata, body: got.Body };
      const served = /^bytes (\d+)-(\d+)\/(\d+)$/.exec(got.ContentRange ?? '');
      const [start, end, size] = [Number(served?.[1]), Number(served?.[2]), Number(served?.[3])];
      if (!served || start !== range.start || end < range.end) {
        got.Body.destroy();
        throw new Error(`GetObject of bytes ${range.start}-${range.end} answered Content-Range ${got.ContentRange}`);
      }
      // Some endpoints (s3rver, for `bytes=0-0`) serve more than asked: pass on exactly the range.
      const body = end > range.end ? truncated(got.Body, range.end - range.start + 1) : got.Body;
      return { size, etag, metadata, body };
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw s3Failure('GetObject', error);
    }
  }

  /** Reads a small object (a manifest, a tail) whole, with its ETag. */
  async read(key: string): Promise<{ bytes: Buffer; etag: string } | undefined> {
    const opened = await this.open(key);
    if (!opened) return undefined;
    const chunks: Buffer[] = [];
    try {
      for await (const chunk of opened.body) chunks.push(chunk as Buffer);
    } catch (error) {
      throw s3Failure('GetObject', error);
    }
    return { bytes: Buffer.concat(chunks), etag: opened.etag };
  }

  /** Writes a whole object (with user metadata, if given); S3's 200 means it is durable. Resolves with its ETag. */
  async put(key: string, bytes: Buffer, conditions: WriteConditions = {}, metadata?: Readonly<Record<string, string>>): Promise<string> {
    const put = await s3Call('PutObject', () =>
      this.client.send(
        new PutObjectCommand({
          Bucket: this.bucket,
          Key: key,
          Body: bytes,
          ContentLength: bytes.length,
          IfMatch: conditions.ifMatch,
          IfNoneMatch: conditions.ifNoneMatch,
          Metadata: metadata ? { ...metadata } : undefined,
        }),
      ),
    );
    return put.ETag ?? '';
  }

  /** Idempotent: S3 answers 204 for a missing key too. */
  async delete(key: string): Promise<void> {
    await s3Call('DeleteObject', () => this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: key })));
  }

  /**
   * Server-side copy. CopyObject takes at most 5 GiB; larger objects are copied as a multipart upload
   * of UploadPartCopy ranges (untested here: S3 emulators such as s3rver lack UploadPartCopy).
   */
  async copy(source: string, target: string, size: number): Promise<void> {
    if (size <= MAX_SINGLE_COPY) {
      await s3Call('CopyObject', () => this.client.send(new CopyObjectCommand({ Bucket: this.bucket, Key: target, CopySource: this.copySource(source) })));
      return;
    }
    const uploadId = await this.createMultipart(target);
    try {
      const parts = await this.copyIntoParts(source, size, target, uploadId, 1);
      await this.completeMultipart(target, uploadId, parts);
    } catch (error) {
      await this.abortMultipart(target, uploadId).catch(() => undefined);
      throw error;
    }
  }

  async createMultipart(key: string): Promise<string> {
    const created = await s3Call('CreateMultipartUpload', () => this.client.send(new CreateMultipartUploadCommand({ Bucket: this.bucket, Key: key })));
    if (!created.UploadId) throw new S3StorageError('CreateMultipartUpload', new Error('no UploadId returned'));
    return created.UploadId;
  }

  /**
   * The SDK retries a request only if it can send the body again: never a stream ("non-retryable streaming
   * request"). A stream of at most one part (a commit's tail, read back from S3) is read into memory first,
   * so that a 500, a SlowDown or a timeout on the first try is retried like any other part; memory stays
   * bounded by the part's scheduled size (20 MiB at most for a 52,000 MiB layer). Longer streams (copy ranges where UploadPartCopy is missing: emulators only)
   * get one attempt.
   */
  async uploadPart(key: string, uploadId: string, number: number, body: Buffer | Readable, length: number): Promise<CompletedPart> {
    const replayable = body instanceof Readable && length <= partSize(number) ? await s3Call('GetObject', () => buffer(body)) : body;
    const command = unsignedPayload(
      new UploadPartCommand({ Bucket: this.bucket, Key: key, UploadId: uploadId, PartNumber: number, Body: replayable, ContentLength: length }),
    );
    const part = await s3Call('UploadPart', () => this.client.send(command));
    if (!part.ETag) throw new S3StorageError('UploadPart', new Error('no ETag returned'));
    return { number, etag: part.ETag, size: length };
  }

  /**
   * Copies all of `source` into parts `firstPart…` of a multipart upload, in ranges of at most 5 GiB
   * split evenly (so none falls under the 5 MiB minimum). Where the endpoint lacks UploadPartCopy the
   * range is streamed through this process instead: slower, same result.
   */
  async copyIntoParts(source: string, size: number, key: string, uploadId: string, firstPart: number): Promise<CompletedPart[]> {
    const count = copyPartCount(size);
    const length = Math.ceil(size / count);
    const parts: CompletedPart[] = [];
    for (let index = 0; index < count; index++) {
      const start = index * length;
      const end = Math.min(size, start + length) - 1;
      parts.push(await this.copyRange(source, { start, end }, key, uploadId, firstPart + index));
    }
    return parts;
  }

  async completeMultipart(key: string, uploadId: string, parts: readonly CompletedPart[]): Promise<void> {
    await s3Call('CompleteMultipartUpload', () =>
      this.client.send(
        new CompleteMultipartUploadCommand({
          Bucket: this.bucket,
          Key: key,
          UploadId: uploadId,
          MultipartUpload: { Parts: parts.map((part) => ({ PartNumber: part.number, ETag: part.etag })) },
        }),
      ),
    );
  }

  /**
   * Idempotent. Endpoints that cannot abort (s3rver answers 405) are tolerated: the parts stay invisible,
   * and on AWS the bucket's AbortIncompleteMultipartUpload lifecycle rule reclaims any that leak.
   */
  async abortMultipart(key: string, uploadId: string): Promise<void> {
    try {
      await this.client.send(new AbortMultipartUploadCommand({ Bucket: this.bucket, Key: key, UploadId: uploadId }));
    } catch (error) {
      if (isNotFound(error) || isUnsupported(error)) return;
      throw s3Failure('AbortMultipartUpload', error);
    }
  }

  /** Every key under `prefix` (all pages). */
  async *keys(prefix: string): AsyncGenerator<string> {
    for await (const page of this.pages(prefix)) {
      for (const object of page.Contents ?? []) if (object.Key) yield object.Key;
    }
  }

  /** Every object under `prefix` with its size and last modification (all pages). */
  async *listed(prefix: string): AsyncGenerator<{ key: string; size: number; modifiedAt: Date }> {
    for await (const page of this.pages(prefix)) {
      for (const object of page.Contents ?? []) {
        if (object.Key) yield { key: object.Key, size: object.Size ?? 0, modifiedAt: object.LastModified ?? new Date(0) };
      }
    }
  }

  /**
   * Every incomplete multipart upload under `prefix` (all pages), or `undefined` when the endpoint cannot
   * list them (s3rver answers NotImplemented to ListMultipartUploads).
   */
  async multipartUploads(prefix: string): Promise<AsyncGenerator<{ key: string; uploadId: string; initiated: Date }> | undefined> {
    const list = (KeyMarker?: string, UploadIdMarker?: string) =>
      this.client.send(new ListMultipartUploadsCommand({ Bucket: this.bucket, Prefix: prefix, KeyMarker, UploadIdMarker }));
    let first;
    try {
      first = await list();
    } catch (error) {
      if (isUnsupported(error)) return undefined;
      throw s3Failure('ListMultipartUploads', error);
    }
    return (async function* () {
      for (let page = first; ;) {
        for (const upload of page.Uploads ?? []) {
          if (upload.Key && upload.UploadId) yield { key: upload.Key, uploadId: upload.UploadId, initiated: upload.Initiated ?? new Date(0) };
        }
        if (!page.IsTruncated) return;
        page = await s3Call('ListMultipartUploads', () => list(page.NextKeyMarker, page.NextUploadIdMarker));
      }
    })();
  }

  /** The next path segment of every key under `prefix` (S3's CommonPrefixes with delimiter `/`). */
  async *children(prefix: string): AsyncGenerator<string> {
    for await (const page of this.pages(prefix, '/')) {
      for (const common of page.CommonPrefixes ?? []) {
        if (common.Prefix) yield common.Prefix.slice(prefix.length).replace(/\/$/, '');
      }
    }
  }

  private async *pages(prefix: string, delimiter?: string) {
    let token: string | undefined;
    do {
      const page = await s3Call('ListObjectsV2', () =>
        this.client.send(new ListObjectsV2Command({ Bucket: this.bucket, Prefix: prefix, Delimiter: delimiter, ContinuationToken: token })),
      );
      yield page;
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
  }

  private async copyRange(source: string, range: { start: number; end: number }, key: string, uploadId: string, number: number): Promise<CompletedPart> {
    try {
      const copied = await this.client.send(
        new UploadPartCopyCommand({
          Bucket: this.bucket,
          Key: key,
          UploadId: uploadId,
          PartNumber: number,
          CopySource: this.copySource(source),
          CopySourceRange: `bytes=${range.start}-${range.end}`,
        }),
      );
      const etag = copied.CopyPartResult?.ETag;
      if (!etag) throw new Error('UploadPartCopy returned no ETag');
      return { number, etag, size: range.end - range.start + 1 };
    } catch (error) {
      if (!isUnsupported(error)) throw s3Failure('UploadPartCopy', error);
    }
    const opened = await this.open(source, range);
    if (!opened) throw new S3StorageError('GetObject', new Error(`copy source ${source} is missing`));
    return this.uploadPart(key, uploadId, number, opened.body, range.end - range.start + 1);
  }

  /** CopySource is `<bucket>/<key>`, URL-encoded (the configured prefix may hold any character). */
  private copySource(key: string): string {
    return `${this.bucket}/${key.split('/').map(encodeURIComponent).join('/')}`;
  }
}

/**
 * Signs a request without hashing its body (`x-amz-content-sha256: UNSIGNED-PAYLOAD`, which S3 accepts):
 * SigV4 would otherwise run a SHA-256 over every part, a second hash of every byte beside the digest the
 * core computes, for an integrity check that TLS (and, on AWS, the SDK's CRC32 checksum header) already
 * gives. The signer keeps a content hash header that is already set.
 */
function unsignedPayload(command: UploadPartCommand): UploadPartCommand {
  command.middlewareStack.add(
    (next) => async (args) => {
      if (HttpRequest.isInstance(args.request)) args.request.headers['x-amz-content-sha256'] = 'UNSIGNED-PAYLOAD';
      return next(args);
    },
    { step: 'build', name: 'cargoholdUnsignedPayload' },
  );
  return command;
}

/** The first `length` bytes of `body`, which is then destroyed. */
function truncated(body: Readable, length: number): Readable {
  async function* limit(): AsyncGenerator<Buffer> {
    let left = length;
    try {
      for await (const chunk of body) {
        const bytes = chunk as Buffer;
        if (bytes.length >= left) {
          yield bytes.subarray(0, left);
          return;
        }
        left -= bytes.length;
        yield bytes;
      }
    } finally {
      body.destroy();
    }
  }
  return Readable.from(limit(), { objectMode: false });
}
