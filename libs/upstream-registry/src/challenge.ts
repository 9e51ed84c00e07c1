/** One challenge of a `WWW-Authenticate` header, e.g. `Bearer realm="https://auth.example/token",service="x",scope="repository:a:pull"`. */
export interface Challenge {
  readonly scheme: 'basic' | 'bearer';
  readonly params: Readonly<Record<string, string>>;
}

// auth-param = token "=" ( token / quoted-string ), RFC 9110 §11.2.
const PARAM = /\s*([!#$%&'*+.^_`|~0-9A-Za-z-]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^\s,"]*))\s*,?/y;
const SCHEME = /\s*,?\s*([!#$%&'*+.^_`|~0-9A-Za-z-]+)(?:\s+|$)/y;

/**
 * The Basic or Bearer challenge of a `WWW-Authenticate` header (Bearer first when both are offered),
 * or undefined when there is none we can answer.
 */
export function parseChallenge(header: string | undefined): Challenge | undefined {
  if (header === undefined) return undefined;
  const found: Challenge[] = [];
  let position = 0;
  while (position < header.length) {
    SCHEME.lastIndex = position;
    const scheme = SCHEME.exec(header);
    if (!scheme) break;
    position = SCHEME.lastIndex;
    const params: Record<string, string> = {};
    for (;;) {
      PARAM.lastIndex = position;
      const param = PARAM.exec(header);
      if (!param || param[0].length === 0) break;
      params[(param[1] as string).toLowerCase()] = param[2] !== undefined ? param[2].replace(/\\(.)/g, '$1') : (param[3] ?? '');
      position = PARAM.lastIndex;
    }
    const name = (scheme[1] as string).toLowerCase();
    if (name === 'basic' || name === 'bearer') found.push({ scheme: name, params });
  }
  return found.find((challenge) => challenge.scheme === 'bearer') ?? found[0];
}
