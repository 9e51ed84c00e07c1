import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { UpstreamCredentials } from '../upstream-client';
import type { TokenAccess, TokenIssuer } from './token-issuer';

export interface TokenServerHandle {
  /** `http://127.0.0.1:<port>/token`: the registry's `auth.token.realm`. */
  readonly realm: string;
  /** Token requests answered so far (granted or not). */
  requests(): number;
  stop(): Promise<void>;
}

const TOKEN_SECONDS = 300;

/**
 * A minimal distribution token service: `GET /token?service=…&scope=repository:<name>:<actions>` with
 * Basic credentials grants the requested actions to a known user; without credentials it grants `pull`
 * when anonymous pulls are allowed; bad credentials get a 401.
 */
export async function startTokenServer(issuer: TokenIssuer, users: readonly UpstreamCredentials[], anonymousPull: boolean): Promise<TokenServerHandle> {
  let requests = 0;
  const handle = (request: IncomingMessage, response: ServerResponse) => {
    requests++;
    const url = new URL(request.url ?? '/', 'http://token');
    const subject = authenticate(request.headers.authorization, users);
    if (url.pathname !== '/token' || subject === undefined || (subject === '' && !anonymousPull)) {
      response.writeHead(url.pathname === '/token' ? 401 : 404, { 'content-type': 'application/json' }).end('{"errors":[{"code":"UNAUTHORIZED"}]}');
      return;
    }
    const access = url.searchParams.getAll('scope').flatMap((scope) => grant(scope, subject === ''));
    const token = issuer.issue(subject, access, TOKEN_SECONDS);
    response.writeHead(200, { 'content-type': 'application/json' });
    response.end(JSON.stringify({ token, access_token: token, expires_in: TOKEN_SECONDS, issued_at: new Date().toISOString() }));
  };
  const server = createServer(handle);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    realm: `http://127.0.0.1:${port}/token`,
    requests: () => requests,
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** The user's name, '' for an anonymous caller, undefined for bad credentials. */
function authenticate(header: string | undefined, users: readonly UpstreamCredentials[]): string | undefined {
  if (header === undefined) return '';
  if (!header.startsWith('Basic ')) return undefined;
  const decoded = Buffer.from(header.slice('Basic '.length), 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  const user = users.find((candidate) => candidate.username === decoded.slice(0, colon) && candidate.password === decoded.slice(colon + 1));
  return user?.username;
}

function grant(scope: string, anonymous: boolean): TokenAccess[] {
  const [type, name, actions] = scope.split(':');
  if (type !== 'repository' || name === undefined || actions === undefined) return [];
  const granted = actions.split(',').filter((action) => action === 'pull' || (!anonymous && (action === 'push' || action === '*')));
  return granted.length > 0 ? [{ type, name, actions: granted }] : [];
}
