import type { NamePage } from '@cargohold/registry-core';
import { parsePage } from './http-headers';
import { json } from './responses';
import type { RegistryRouteHandler, RouteHandler } from './route-table';

/** RFC 8288 `Link` to the next page, as the spec's tags list and catalog pagination describe. */
function nextLink(path: string, page: NamePage): Record<string, string> {
  if (page.next === undefined) return {};
  const next = new URLSearchParams({ n: String(page.limit), last: page.next });
  return { Link: `<${path}?${next}>; rel="next"` };
}

/** `GET /v2/`: the API version check; the route's empty action list still demands a valid credential. */
export const versionCheck: RegistryRouteHandler = async () => json(200, {});

export const listTags: RouteHandler = async ({ registry, repo, request }) => {
  const page = await registry.listing.tags(repo, parsePage(request.query));
  return json(200, { name: repo.name, tags: page.items }, nextLink(`/v2/${repo.name}/tags/list`, page));
};

/**
 * `GET /v2/_catalog`: registry-wide. It lists the repositories of the page the caller may describe (a
 * Deny on one repository hides it), the whole page decided in one authorization; the Link still
 * follows the unfiltered order, so a page may hold fewer than `n` names.
 */
export const catalog: RegistryRouteHandler = async ({ registry, registryKey, request, allows }) => {
  const page = await registry.listing.catalog(registryKey, parsePage(request.query));
  const visible = page.items.length === 0 ? [] : await allows(page.items.map((name) => ({ action: 'ecr:DescribeRepositories', repository: name })));
  const repositories = page.items.filter((_, index) => visible[index] === true);
  return json(200, { repositories }, nextLink('/v2/_catalog', page));
};
