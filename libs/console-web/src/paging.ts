/**
 * Paging over ECR's forward-only `nextToken`s. The console never loads a whole listing: it asks for one
 * page (at most MAX_PAGE_SIZE items) and remembers the tokens of the pages it has seen, so "Previous" is a
 * re-fetch of a known token rather than a cache of every item (100 000 images cost one page of memory).
 */
export const MAX_PAGE_SIZE = 100;

export interface PageCursor {
  /** `tokens[i]` fetches page i; page 0 has none. */
  readonly tokens: readonly (string | undefined)[];
  readonly index: number;
  /** The token of the page after this one, once this one has loaded and said there is more. */
  readonly next?: string;
}

export const firstPage = (): PageCursor => ({ tokens: [undefined], index: 0 });

/** The token to send for the current page. */
export const tokenOf = (cursor: PageCursor): string | undefined => cursor.tokens[cursor.index];

/** Records what the current page's response said about the next one. */
export function loaded(cursor: PageCursor, nextToken: string | undefined): PageCursor {
  const { next: _previous, ...rest } = cursor;
  return nextToken ? { ...rest, next: nextToken } : rest;
}

export const hasNext = (cursor: PageCursor): boolean => cursor.next !== undefined;
export const hasPrevious = (cursor: PageCursor): boolean => cursor.index > 0;

/** The cursor of the following page (tokens past it are dropped: a listing may have changed since). */
export function forward(cursor: PageCursor): PageCursor {
  if (cursor.next === undefined) return cursor;
  return { tokens: [...cursor.tokens.slice(0, cursor.index + 1), cursor.next], index: cursor.index + 1 };
}

export function back(cursor: PageCursor): PageCursor {
  if (cursor.index === 0) return cursor;
  return { tokens: cursor.tokens.slice(0, cursor.index), index: cursor.index - 1 };
}

/** A page size the API accepts: 1..MAX_PAGE_SIZE, whatever a caller asked for. */
export function pageSize(wanted: number): number {
  return Math.max(1, Math.min(MAX_PAGE_SIZE, Math.floor(wanted) || 1));
}
