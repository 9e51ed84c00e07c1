import { useEffect, useState } from 'preact/hooks';
import { firstPage, loaded, tokenOf, type PageCursor } from './paging';

export interface Paged<P> {
  /** The current page's response, once it arrived. */
  readonly page?: P;
  readonly error?: unknown;
  readonly loading: boolean;
  readonly cursor: PageCursor;
  go(cursor: PageCursor): void;
}

/**
 * One page of a listing at a time. `key` names the listing (repository, search): a new key starts again
 * at page 0. A response that arrives after the person moved on is dropped.
 */
export function usePaged<P extends { readonly nextToken?: string }>(key: string, load: (token: string | undefined) => Promise<P>): Paged<P> {
  const [nav, setNav] = useState({ key, cursor: firstPage() });
  const [result, setResult] = useState<{ key: string; page?: P; error?: unknown }>({ key });
  const cursor = nav.key === key ? nav.cursor : firstPage();
  const token = tokenOf(cursor);
  const page = `${key}\n${cursor.index}\n${token ?? ''}`;
  useEffect(() => {
    let live = true;
    load(token).then(
      (answer) => {
        if (!live) return;
        setNav({ key, cursor: loaded(cursor, answer.nextToken) });
        setResult({ key: page, page: answer });
      },
      (error: unknown) => live && setResult({ key: page, error }),
    );
    return () => {
      live = false;
    };
  }, [page]);
  const current = result.key === page;
  return {
    ...(current && result.page ? { page: result.page } : {}),
    ...(current && result.error ? { error: result.error } : {}),
    loading: !current,
    cursor,
    go: (next) => setNav({ key, cursor: next }),
  };
}

/** One call's answer, reloaded when `key` changes. */
export function useCall<T>(key: string, load: () => Promise<T>): { value?: T; error?: unknown; loading: boolean } {
  const [result, setResult] = useState<{ key?: string; value?: T; error?: unknown }>({});
  useEffect(() => {
    let live = true;
    load().then(
      (value) => live && setResult({ key, value }),
      (error: unknown) => live && setResult({ key, error }),
    );
    return () => {
      live = false;
    };
  }, [key]);
  if (result.key !== key) return { loading: true };
  return { ...(result.value !== undefined ? { value: result.value } : {}), ...(result.error ? { error: result.error } : {}), loading: false };
}
