/** A reference to cache in the background, with its whole closure. */
export interface CacheRequest {
  readonly registry: string;
  readonly repository: string;
  readonly reference: string;
}

/**
 * Where a pull that served a manifest uncached (lazy blobs: a Lambda's time budget) asks for it to be
 * cached by a worker, which has the time to store every blob (AWS: the cache-syncer queue). A request
 * may be delivered more than once; the worker's cacheReference is idempotent.
 */
export interface CacheRequests {
  request(request: CacheRequest): Promise<void>;
}
