import { FsBlobStore } from './fs-blob-store';
import { FsBlobUploads, type FsBlobUploadsOptions } from './fs-blob-uploads';
import { FsLayout } from './fs-layout';
import { DirectorySyncs } from './directory-syncs';

export { FsBlobStore } from './fs-blob-store';
export { FsBlobUploads, type FsBlobUploadsOptions } from './fs-blob-uploads';
export { FsLayout } from './fs-layout';

/**
 * Blob bytes and resumable uploads over one root directory (layout in fs-layout.ts). Construction creates
 * the tree and discards tmp files a killed process left behind, so run one instance per root. `close`
 * closes the directory descriptors both keep for their fsyncs (DirectorySyncs), at shutdown.
 */
export function createFsBlobStorage(
  root: string,
  options: Omit<FsBlobUploadsOptions, 'syncs'> = {},
): { blobs: FsBlobStore; uploads: FsBlobUploads; close(): Promise<void> } {
  const layout = new FsLayout(root);
  layout.prepare();
  const syncs = new DirectorySyncs();
  return { blobs: new FsBlobStore(layout, syncs), uploads: new FsBlobUploads(layout, { ...options, syncs }), close: () => syncs.close() };
}
