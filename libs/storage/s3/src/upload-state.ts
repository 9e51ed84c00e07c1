import { isDigest } from '@cargohold/oci';
import type { HashState } from '@cargohold/storage-ports';
import * as z from 'zod';
import { S3StorageError } from './s3-errors';
import { copyPartCount } from './s3-layout';

const staged = z.object({ key: z.string().min(1), size: z.number().int().nonnegative() });
const hash = z.object({ algorithm: z.enum(['sha256', 'sha512']), offset: z.number().int().nonnegative(), state: z.string() });
const part = z.object({ number: z.number().int().min(1).max(10_000), etag: z.string().min(1), size: z.number().int().positive() });

/**
 * The manifest of one resumable upload (`uploads/<id>/state.json`). The staged bytes are, in order:
 *
 *   base (one object)  ‖  multipart.parts (part n: partSize(n) bytes)  ‖  tail (one object, < the next part's size)
 *
 * The schedule (s3-layout.ts: 5 MiB for parts 1–2,000, doubling every 2,000 parts up to 80 MiB) bounds
 * an upload at MAX_MULTIPART_BYTES (310,000 MiB; ECR's 52,000 MiB layer takes 5,100 parts). Sizes are
 * always read from `part.size`, never recomputed, so a state written before the schedule (every part
 * 5 MiB, as the schedule's first step is) loads and continues: the next part is number parts.length + 1
 * and takes that number's size. A tail left by such a state (< 5 MiB) is below every part size too.
 *
 * `base` holds bytes already assembled by a commit whose digest did not match (the client may append
 * more and commit again); it never coexists with `multipart`, because opening a multipart upload copies
 * the base into its first parts. Any of the three may be absent; the upload's size is their sum.
 *
 * `hash` is the core's saved hash state after `offset` bytes (base64), written in the same conditional
 * rewrite as the bytes it covers, so it never claims bytes the upload does not hold.
 *
 * `publishing` is the digest a commit is publishing the base under (written before its pointer, see
 * s3-layout.ts): while it is set, the data object that digest's pointer names is no longer this upload's
 * to delete, whatever later befalls the upload (an abort, a purge, a further append).
 */
export const uploadStateSchema = z.object({
  version: z.literal(1),
  base: staged.optional(),
  multipart: z.object({ key: z.string().min(1), uploadId: z.string().min(1), parts: z.array(part) }).optional(),
  tail: staged.optional(),
  hash: hash.optional(),
  publishing: z.string().refine(isDigest).optional(),
});

export type UploadState = z.infer<typeof uploadStateSchema>;
export type MultipartState = NonNullable<UploadState['multipart']>;

export const EMPTY_UPLOAD: UploadState = { version: 1 };

export function stagedSize(state: UploadState): number {
  const parts = state.multipart?.parts.reduce((sum, each) => sum + each.size, 0) ?? 0;
  return (state.base?.size ?? 0) + parts + (state.tail?.size ?? 0);
}

/** The number the next full part of `state` gets: after its parts, or after the parts a base is copied into. */
export function nextPartNumber(state: UploadState): number {
  if (state.multipart) return state.multipart.parts.length + 1;
  return state.base ? copyPartCount(state.base.size) + 1 : 1;
}

export function encodeHash(state: HashState): NonNullable<UploadState['hash']> {
  return { algorithm: state.algorithm, offset: state.offset, state: Buffer.from(state.state).toString('base64') };
}

export function encodeState(state: UploadState): Buffer {
  return Buffer.from(JSON.stringify(state));
}

export function decodeState(bytes: Buffer): UploadState {
  return uploadStateSchema.parse(JSON.parse(bytes.toString('utf8')));
}

/** Parts by number, checked to follow each other from 1: what CompleteMultipartUpload is given. */
export function partsInOrder(parts: MultipartState['parts']): MultipartState['parts'] {
  const sorted = [...parts].sort((a, b) => a.number - b.number);
  if (sorted.some((part, index) => part.number !== index + 1))
    throw new S3StorageError('UploadPart', new Error('the stored parts do not follow each other from 1'));
  return sorted;
}
