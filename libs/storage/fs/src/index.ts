import { FsBlobStore } from './fs-blob-store';
import { FsBlobUploads, type FsBlobUploadsOptions } from './fs-blob-uploads';
import { FsLayout } from './fs-layout';

export { FsBlobStore } from './fs-blob-store';
export { FsBlobUploads, type FsBlobUploadsOptions } from './fs-blob-uploads';
export { FsLayout } from './fs-layout';

/**
 * Blob bytes and resumable uploads over one root directory (layout in fs-layout.ts). Construction creates
 * the tree and discards tmp files a killed process left behind, so run one instance per root.
 */
export function createFsBlobStorage(root: string, options: FsBlobUploadsOptions = {}): { blobs: FsBlobStore; uploads: FsBlobUploads } {
  const layout = new FsLayout(root);
  layout.prepare();
  return { blobs: new FsBlobStore(layout), uploads: new FsBlobUploads(layout, options) };
}
