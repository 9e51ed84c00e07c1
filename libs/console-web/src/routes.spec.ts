import { imageHref, imagesHref, parseRoute, pullThroughHref } from './routes';

describe('console routes', () => {
  it('round-trips a namespaced repository and an image digest', () => {
    const digest = `sha256:${'a'.repeat(64)}`;
    expect(parseRoute(imagesHref('team/app'))).toEqual({ view: 'images', repository: 'team/app' });
    expect(parseRoute(imageHref('team/app', digest))).toEqual({ view: 'image', repository: 'team/app', digest });
  });

  it('names the pull-through cache rules', () => {
    expect(parseRoute(pullThroughHref())).toEqual({ view: 'pull-through' });
  });

  it('falls back to the repositories for anything else', () => {
    expect(parseRoute('')).toEqual({ view: 'repositories' });
    expect(parseRoute('#/nowhere')).toEqual({ view: 'repositories' });
  });
});
