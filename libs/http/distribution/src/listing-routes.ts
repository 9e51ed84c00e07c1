import type { HttpRequest, HttpResponse } from '@cargohold/lambda-kit';
import type { NamePage, Registry } from '@cargohold/registry-core';
import { parsePage } from './http-headers';
import { json } from './responses';
import type { RouteHandler } from './route-table';

/** RFC 8288 `Link` to the next page, as the spec's tags list and catalog pagination describe. */
function nextLink(path: string, page: NamePage): Record<string, string> {
  if (page.next === undefined) return {};
  const next = new URLSearchParams({ n: String(page.limit), last: page.next });
  return { Link: `<${path}?${next}>; rel="next"` };
}

export const listTags: RouteHandler = async ({ registry, repo, request }) => {
  const page = await registry.listing.tags(repo, parsePage(request.query));
  return json(200, { name: repo.name, tags: page.items }, nextLink(`/v2/${repo.name}/tags/list`, page));
};

/**
 * `GET /v2/_catalog`: registry-wide, so it is routed before any repository name is parsed. It lists the
 * repositories the caller may describe (a Deny on one repository hides it); the Link still follows the
 * unfiltered order, so a page may hold fewer than `n` names.
 */
export async function catalog(
  registry: Registry,
  registryId: string,
  request: HttpRequest,
  visible: (name: string) => Promise<boolean>,
): Promise<HttpResponse> {
  const page = await registry.listing.catalog(registryId, parsePage(request.query));
  const repositories: string[] = [];
  for (const name of page.items) if (await visible(name)) repositories.push(name);
  return json(200, { repositories }, nextLink('/v2/_catalog', page));
}
