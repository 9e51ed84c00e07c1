import { parseChallenge } from './challenge';

describe('parseChallenge', () => {
  it('reads a Bearer challenge with quoted parameters', () => {
    const header = 'Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:library/alpine:pull"';

    expect(parseChallenge(header)).toEqual({
      scheme: 'bearer',
      params: { realm: 'https://auth.docker.io/token', service: 'registry.docker.io', scope: 'repository:library/alpine:pull' },
    });
  });

  it('reads a Basic challenge, unquoted parameters and escapes', () => {
    expect(parseChallenge('basic realm=Registry')).toEqual({ scheme: 'basic', params: { realm: 'Registry' } });
    expect(parseChallenge('Basic realm="say \\"hi\\""')).toEqual({ scheme: 'basic', params: { realm: 'say "hi"' } });
  });

  it('prefers Bearer when both are offered, whatever the order', () => {
    expect(parseChallenge('Basic realm="r", Bearer realm="https://r/token",service="s"')).toEqual({
      scheme: 'bearer',
      params: { realm: 'https://r/token', service: 's' },
    });
  });

  it('ignores schemes it cannot answer and missing headers', () => {
    expect(parseChallenge('Negotiate')).toBeUndefined();
    expect(parseChallenge(undefined)).toBeUndefined();
  });
});
