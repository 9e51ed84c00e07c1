import type { S3Layout } from './s3-layout';
import type { S3Objects } from './s3-objects';

/**
 * Aborts incomplete multipart uploads of this adapter (monolithic puts at blob keys, resumable uploads'
 * data under uploads/) initiated before a cutoff: what a crashed writer leaves behind, billed by S3 until
 * aborted. The caller chooses a cutoff older than any live upload (garbage collection's grace, which is
 * longer than the longest upload session). Endpoints without ListMultipartUploads (s3rver) sweep nothing;
 * on AWS the bucket's AbortIncompleteMultipartUpload lifecycle rule is the backstop either way.
 */
export class S3MultipartSweeper {
  constructor(
    private readonly objects: S3Objects,
    private readonly layout: S3Layout,
  ) {}

  /** Answers how many were aborted (or, with `dryRun`, would be). */
  async abortIncomplete(before: Date, dryRun: boolean): Promise<number> {
    const uploads = await this.objects.multipartUploads(this.layout.rootPrefix);
    if (!uploads) return 0;
    let aborted = 0;
    for await (const upload of uploads) {
      if (upload.initiated.getTime() >= before.getTime()) continue;
      if (!dryRun) await this.objects.abortMultipart(upload.key, upload.uploadId);
      aborted++;
    }
    return aborted;
  }
}
