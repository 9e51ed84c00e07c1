import { UploadInvalidError, PaginationInvalidError, type PageRequest, type RangeSpec } from '@cargohold/registry-core';

const INTEGER = /^\d{1,16}$/;

/** `Content-Range: <start>-<end>` as OCI chunked uploads send it (also accepts the `bytes ` prefix). */
export function parseContentRange(value: string | undefined): { start: number; end: number } | undefined {
  if (value === undefined) return undefined;
  const match = /^(?:bytes )?(\d{1,16})-(\d{1,16})(?:\/(?:\d{1,16}|\*))?$/.exec(value.trim());
  if (!match) throw new UploadInvalidError(`malformed Content-Range ${JSON.stringify(value.slice(0, 100))}`, 416);
  const start = Number(match[1]);
  const end = Number(match[2]);
  if (end < start) throw new UploadInvalidError('Content-Range ends before it starts', 416);
  return { start, end };
}

export function parseContentLength(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (!INTEGER.test(value)) throw new UploadInvalidError('malformed Content-Length');
  return Number(value);
}

/** A single `Range: bytes=` spec; multi-range or malformed headers are ignored (RFC 9110 allows it). */
export function parseRange(value: string | undefined): RangeSpec | undefined {
  if (value === undefined) return undefined;
  const match = /^bytes=(\d{0,16})-(\d{0,16})$/.exec(value.trim());
  if (!match) return undefined;
  const [, first = '', last = ''] = match;
  if (first === '' && last === '') return undefined;
  if (first === '') return { kind: 'suffix', length: Number(last) };
  if (last !== '' && Number(last) < Number(first)) return undefined;
  return last === '' ? { kind: 'from', start: Number(first) } : { kind: 'from', start: Number(first), end: Number(last) };
}

/** `?n=&last=` for tags list and catalog. */
export function parsePage(query: URLSearchParams): PageRequest {
  const n = query.get('n');
  const last = query.get('last');
  if (n !== null && !INTEGER.test(n)) throw new PaginationInvalidError(`n must be a non-negative integer, got ${JSON.stringify(n.slice(0, 40))}`);
  return { ...(n !== null ? { n: Number(n) } : {}), ...(last !== null ? { last } : {}) };
}

/** Whether the request carries a body worth reading (a PUT that closes an upload may carry none). */
export function hasBody(headers: Readonly<Record<string, string | undefined>>): boolean {
  const length = headers['content-length'];
  if (length !== undefined) return length !== '0';
  return headers['transfer-encoding'] !== undefined;
}
