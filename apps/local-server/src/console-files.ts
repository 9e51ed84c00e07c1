import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { HttpHandler, HttpRequest, HttpResponse } from '@cargohold/lambda-kit';
import type { Logger } from 'pino';

/**
 * The only files `/console/` serves, as libs/console-web/build.mjs writes them. A fixed list read once
 * at start: no request path ever reaches the filesystem, so no path can escape the directory.
 */
const FILES: Readonly<Record<string, string>> = {
  'index.html': 'text/html; charset=utf-8',
  'console.js': 'text/javascript; charset=utf-8',
  'console.css': 'text/css; charset=utf-8',
};

const PREFIX = '/console/';

/**
 * The built console's directory: beside the bundled CLI (dist/apps/local-server → dist/libs/console-web),
 * or the workspace's dist when the server runs from sources (specs).
 */
export function defaultConsoleDir(): string | undefined {
  const candidates = [join(__dirname, '../../libs/console-web'), join(__dirname, '../../../dist/libs/console-web')];
  return candidates.find((dir) => existsSync(join(dir, 'index.html')));
}

interface StaticFile {
  readonly body: Buffer;
  readonly type: string;
  readonly etag: string;
}

/**
 * `/console/` serves the web console's static files, unauthenticated (every API call the console makes
 * carries its own SigV4 signature); `/console` redirects there. Files are revalidated by ETag on every
 * load (`no-cache`), so a rebuilt console shows at once, and sent with a strict CSP: the console needs
 * nothing but its own origin.
 */
export function consoleFiles(dir: string | undefined, logger: Logger) {
  const files = new Map<string, StaticFile>();
  if (dir && Object.keys(FILES).every((name) => existsSync(join(dir, name)))) {
    for (const [name, type] of Object.entries(FILES)) {
      const body = readFileSync(join(dir, name));
      files.set(name, { body, type, etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 27)}"` });
    }
  } else {
    logger.warn({ dir }, 'the web console is not built: /console/ answers 404 (run `npx nx run console-web:build`)');
  }

  const handler = (request: HttpRequest): HttpResponse | undefined => {
    if (request.path === '/console') return { status: 308, headers: { Location: PREFIX, 'Cache-Control': 'no-cache' } };
    if (!request.path.startsWith(PREFIX)) return undefined;
    if (request.method !== 'GET' && request.method !== 'HEAD') return text(405, 'Method Not Allowed', { Allow: 'GET, HEAD' });
    const file = files.get(request.path.slice(PREFIX.length) || 'index.html');
    if (!file) return text(404, files.size ? 'Not Found' : 'The console is not built: run `npx nx run console-web:build`.');
    const headers = {
      'Content-Type': file.type,
      'Cache-Control': 'no-cache',
      ETag: file.etag,
      'X-Content-Type-Options': 'nosniff',
      'Content-Security-Policy': "default-src 'self'; img-src 'self' data:; frame-ancestors 'none'; base-uri 'none'; form-action 'none'",
      'Referrer-Policy': 'no-referrer',
    };
    if (request.headers['if-none-match'] === file.etag) return { status: 304, headers };
    return { status: 200, headers: { ...headers, 'Content-Length': String(file.body.length) }, body: file.body };
  };
  return {
    /** Wraps `api` so `/console` and `/console/…` never reach it. */
    around:
      (api: HttpHandler): HttpHandler =>
      (request) => {
        const response = handler(request);
        return response ? Promise.resolve(response) : api(request);
      },
  };
}

function text(status: number, message: string, extra: Record<string, string> = {}): HttpResponse {
  return { status, headers: { 'Content-Type': 'text/plain; charset=utf-8', 'Cache-Control': 'no-store', ...extra }, body: Buffer.from(`${message}\n`) };
}
