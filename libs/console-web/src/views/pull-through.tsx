import type { EcrCall } from '../ecr-client';
import { formatTime } from '../format';
import { usePaged } from '../hooks';
import { pageSize } from '../paging';
import type { PullThroughCacheRule } from '../shapes';
import { Loaded, Pager } from '../widgets';

const PAGE = pageSize(50);

/** The registry's pull-through cache rules (DescribePullThroughCacheRules), a page at a time. */
export function PullThroughView({ ecr }: { ecr: EcrCall }) {
  const rules = usePaged('pull-through', (nextToken) =>
    ecr<{ pullThroughCacheRules?: PullThroughCacheRule[]; nextToken?: string }>('DescribePullThroughCacheRules', {
      maxResults: PAGE,
      ...(nextToken ? { nextToken } : {}),
    }),
  );
  const items = rules.page?.pullThroughCacheRules ?? [];
  return (
    <section aria-labelledby="pull-through-heading">
      <h2 tabIndex={-1} id="pull-through-heading">
        Pull-through cache rules
      </h2>
      <p class="muted">A pull of a repository under a rule's prefix that misses here is fetched from its upstream and cached.</p>
      <Loaded loading={rules.loading} error={rules.error}>
        {() =>
          items.length ? (
            <table>
              <caption class="visually-hidden">Pull-through cache rules, page {rules.cursor.index + 1}</caption>
              <thead>
                <tr>
                  <th scope="col">Prefix</th>
                  <th scope="col">Upstream</th>
                  <th scope="col">Upstream prefix</th>
                  <th scope="col">Credentials</th>
                  <th scope="col">Created</th>
                  <th scope="col">Updated</th>
                </tr>
              </thead>
              <tbody>
                {items.map((rule) => (
                  <tr key={rule.ecrRepositoryPrefix}>
                    <td>
                      <code>{rule.ecrRepositoryPrefix}</code>
                    </td>
                    <td>
                      <code>{rule.upstreamRegistryUrl}</code>
                      {rule.upstreamRegistry ? ` (${rule.upstreamRegistry})` : ''}
                    </td>
                    <td>
                      <code>{rule.upstreamRepositoryPrefix ?? 'ROOT'}</code>
                    </td>
                    <td>{rule.credentialArn ? <code>{rule.credentialArn}</code> : 'none'}</td>
                    <td>{formatTime(rule.createdAt)}</td>
                    <td>{formatTime(rule.updatedAt)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          ) : (
            <p>No pull-through cache rules.</p>
          )
        }
      </Loaded>
      <Pager label="Pull-through cache rules" cursor={rules.cursor} loading={rules.loading} go={rules.go} />
    </section>
  );
}
