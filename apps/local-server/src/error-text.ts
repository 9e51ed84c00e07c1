import { AwsStorageUnreachableError } from '@cargohold/platform-aws';

/**
 * What the CLI prints for a failure: the message and the causes under it ("S3 ListObjectsV2 failed:
 * Region is missing"), since an adapter's own message names only the operation and keeps the vendor's
 * reason as `cause`. Errors written for the operator (an unreachable bucket) already name their cause.
 */
export function errorText(error: unknown): string {
  const parts: string[] = [];
  let current: unknown = error;
  for (let depth = 0; current !== undefined && current !== null && depth < 5; depth++) {
    const message = current instanceof Error ? current.message : String(current);
    if (message && !parts.some((part) => part.includes(message))) parts.push(message);
    if (!(current instanceof Error) || current instanceof AwsStorageUnreachableError) break;
    current = current.cause;
  }
  return parts.join(': ');
}
