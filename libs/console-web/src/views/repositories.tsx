import { useState } from 'preact/hooks';
import { EcrApiError, type EcrCall } from '../ecr-client';
import { usePaged } from '../hooks';
import { formatTime } from '../format';
import { pageSize } from '../paging';
import { imagesHref } from '../routes';
import type { Repository } from '../shapes';
import { Loaded, Pager } from '../widgets';

const PAGE = pageSize(50);

interface RepositoriesPage {
  readonly repositories?: readonly Repository[];
  readonly nextToken?: string;
}

/**
 * The registry's repositories, a page at a time. ECR has no name search, so the box looks up exact names
 * (DescribeRepositories with repositoryNames) and, while typing, filters the page on screen.
 */
export function RepositoriesView({ ecr }: { ecr: EcrCall }) {
  const [typed, setTyped] = useState('');
  const [lookup, setLookup] = useState('');
  const listing = usePaged(`repositories\n${lookup}`, (nextToken) => {
    const input = lookup ? { repositoryNames: [lookup] } : { maxResults: PAGE, ...(nextToken ? { nextToken } : {}) };
    const out = ecr<RepositoriesPage>('DescribeRepositories', input);
    // An exact-name search that finds nothing is an empty result, not an error.
    return out.catch((error: unknown): RepositoriesPage => {
      if (lookup && error instanceof EcrApiError && error.errorName === 'RepositoryNotFoundException') return { repositories: [] };
      throw error;
    });
  });
  const filter = typed.trim();
  return (
    <section aria-labelledby="repositories-heading">
      <h2 tabIndex={-1} id="repositories-heading">
        Repositories
      </h2>
      <form
        class="search"
        role="search"
        onSubmit={(event) => {
          event.preventDefault();
          setLookup(filter);
        }}
      >
        <label for="repository-search">Repository name</label>
        <input id="repository-search" type="search" value={typed} onInput={(event) => setTyped(event.currentTarget.value)} autoComplete="off" />
        <button type="submit">Search</button>
        {lookup && (
          <button
            type="button"
            onClick={() => {
              setTyped('');
              setLookup('');
            }}
          >
            Show all
          </button>
        )}
      </form>
      <p class="muted">Typing filters this page; Search looks the exact name up in the whole registry.</p>
      <Loaded loading={listing.loading} error={listing.error}>
        {() => {
          const shown = (listing.page?.repositories ?? []).filter((repository) => lookup || repository.repositoryName.includes(filter));
          return shown.length === 0 ? (
            <p>No repositories{lookup ? ` named “${lookup}”` : filter ? ` matching “${filter}” on this page` : ''}.</p>
          ) : (
            <table>
              <caption class="visually-hidden">Repositories, page {listing.cursor.index + 1}</caption>
              <thead>
                <tr>
                  <th scope="col">Name</th>
                  <th scope="col">URI</th>
                  <th scope="col">Tags</th>
                  <th scope="col">Scan on push</th>
                  <th scope="col">Created</th>
                </tr>
              </thead>
              <tbody>
                {shown.map((repository) => (
                  <tr key={repository.repositoryName}>
                    <td>
                      <a href={imagesHref(repository.repositoryName)}>{repository.repositoryName}</a>
                    </td>
                    <td>
                      <code>{repository.repositoryUri}</code>
                    </td>
                    <td>{repository.imageTagMutability ?? '—'}</td>
                    <td>{repository.imageScanningConfiguration?.scanOnPush ? 'yes' : 'no'}</td>
                    <td>{formatTime(repository.createdAt)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          );
        }}
      </Loaded>
      {!lookup && <Pager label="Repositories" cursor={listing.cursor} loading={listing.loading} go={listing.go} />}
    </section>
  );
}
