import type { LifecycleImage } from './types';

/**
 * The links between a repository's images that lifecycle rules must respect, by index into the
 * image list:
 * - an image a manifest list (index) in the repository references cannot be expired or archived
 *   "without the manifest list being deleted or archived first" (ECR's evaluation rules). Such a
 *   child is not a candidate at all while the list stays: it neither counts toward a rule's
 *   imageCountMoreThan nor is acted on. An archived list still protects archived children.
 * - a referrer (an image with a `subject`) is never selected by a rule; ECR expires or archives
 *   referrers "within 24 hours of the deletion or archival of the subject image", so the evaluator
 *   hands them the subject's decision instead.
 */
export interface ImageGraph {
  /** Whether rules may select the image at all. */
  readonly selectable: Uint8Array;
  /** Referrers of each image (transitively: a signature of an SBOM follows the SBOM). */
  referrersOf(index: number): readonly number[];
}

const NONE: readonly number[] = [];

export function buildImageGraph(images: readonly LifecycleImage[]): ImageGraph {
  const selectable = new Uint8Array(images.length).fill(1);
  const referrers = new Map<number, number[]>();
  // Most images link to nothing: index only the digests some image points at.
  const linked = new Set<string>();
  for (const image of images) {
    if (image.subject !== undefined) linked.add(image.subject);
    for (const child of image.children) linked.add(child);
  }
  if (linked.size === 0) return { selectable, referrersOf: () => NONE };
  const byDigest = new Map<string, number>();
  images.forEach((image, i) => {
    if (linked.has(image.digest)) byDigest.set(image.digest, i);
  });
  images.forEach((image, i) => {
    if (image.subject !== undefined) {
      selectable[i] = 0;
      const subject = byDigest.get(image.subject);
      if (subject !== undefined) {
        const list = referrers.get(subject);
        if (list) list.push(i);
        else referrers.set(subject, [i]);
      }
    }
    for (const childDigest of image.children) {
      const child = byDigest.get(childDigest);
      if (child === undefined || child === i) continue;
      if (image.storageClass === 'STANDARD' || images[child]?.storageClass === 'ARCHIVE') selectable[child] = 0;
    }
  });
  return { selectable, referrersOf: (index) => referrers.get(index) ?? NONE };
}
