/**
 * Hash routes, so the server serves one index.html for every view and a reload keeps the place:
 *   #/                                   repositories
 *   #/repositories/<name>                its images
 *   #/repositories/<name>/images/<digest> one image: manifest, layers or platforms, referrers, findings
 *   #/pull-through-cache                 the registry's pull-through cache rules
 */
export type Route =
  | { readonly view: 'repositories' }
  | { readonly view: 'pull-through' }
  | { readonly view: 'images'; readonly repository: string }
  | { readonly view: 'image'; readonly repository: string; readonly digest: string };

export function parseRoute(hash: string): Route {
  const path = hash.replace(/^#\/?/, '');
  if (path === 'pull-through-cache') return { view: 'pull-through' };
  const match = /^repositories\/(.+?)(?:\/images\/([^/]+))?$/.exec(path);
  if (!match?.[1]) return { view: 'repositories' };
  const repository = decodeURIComponent(match[1]);
  return match[2] ? { view: 'image', repository, digest: decodeURIComponent(match[2]) } : { view: 'images', repository };
}

export const repositoriesHref = () => '#/';
export const pullThroughHref = () => '#/pull-through-cache';
export const imagesHref = (repository: string) => `#/repositories/${repository.split('/').map(encodeURIComponent).join('/')}`;
export const imageHref = (repository: string, digest: string) => `${imagesHref(repository)}/images/${encodeURIComponent(digest)}`;
