/**
 * Upload ids: the server generates them (lowercase RFC 4122 UUIDs) and they end up in storage keys and
 * paths, so this one grammar is checked at every door (the core, each adapter, the ECR API) before an id
 * reaches a key or a path: anything else is an unknown upload.
 */
const UPLOAD_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export function isUploadId(value: string): boolean {
  return UPLOAD_ID.test(value);
}
