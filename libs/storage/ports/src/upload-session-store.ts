import type { RepoRef } from './refs';

/**
 * An upload in progress, as the registry promised it to a client. The bytes and the offset live in
 * BlobUploads under the same id; the session says which repository the upload belongs to and when it
 * was last used, so abandoned uploads can expire.
 */
export interface UploadSession {
  readonly id: string;
  readonly repo: RepoRef;
  readonly startedAt: Date;
  readonly updatedAt: Date;
}

/** Where a page of `listIdle` ended: the last session it returned. */
export type SessionCursor = Pick<UploadSession, 'id' | 'updatedAt'>;

/**
 * Contract: ids are unique (server-generated UUIDs); `create` of an existing id throws; `touch` of an
 * unknown id is a no-op; `delete` answers whether it existed; `listIdle` returns sessions whose
 * `updatedAt` is before `before`, in (updatedAt, id) order, at most `limit`, and with `after` only those
 * that come after it in that order (so every session can be visited, page by page, while others change).
 */
export interface UploadSessionStore {
  create(session: UploadSession): Promise<void>;
  get(id: string): Promise<UploadSession | undefined>;
  touch(id: string, at: Date): Promise<void>;
  delete(id: string): Promise<boolean>;
  listIdle(before: Date, limit: number, after?: SessionCursor): Promise<UploadSession[]>;
}
