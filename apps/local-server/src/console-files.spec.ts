import { Readable } from 'node:stream';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { HttpRequest, HttpResponse } from '@cargohold/lambda-kit';
import pino from 'pino';
import { consoleFiles } from './console-files';

const request = (method: string, path: string, headers: Record<string, string> = {}): HttpRequest => ({
  method,
  path,
  query: new URLSearchParams(),
  headers,
  body: Readable.from([]),
});

const API: HttpResponse = { status: 418, headers: {} };

describe('consoleFiles', () => {
  let dir: string;
  let serve: (r: HttpRequest) => Promise<HttpResponse>;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'cargohold-console-'));
    await writeFile(join(dir, 'index.html'), '<!doctype html><title>console</title>');
    await writeFile(join(dir, 'console.js'), 'console.log(1)');
    await writeFile(join(dir, 'console.css'), 'body{}');
    await writeFile(join(dir, 'secret.txt'), 'not served');
    serve = consoleFiles(dir, pino({ level: 'silent' })).around(() => Promise.resolve(API));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('redirects /console to /console/', async () => {
    expect(await serve(request('GET', '/console'))).toMatchObject({ status: 308, headers: { Location: '/console/' } });
  });

  it('serves index.html at /console/ and the bundle and stylesheet with their content types', async () => {
    const index = await serve(request('GET', '/console/'));
    expect(index).toMatchObject({ status: 200, headers: { 'Content-Type': 'text/html; charset=utf-8', 'Cache-Control': 'no-cache' } });
    expect(String(index.body)).toContain('<title>console</title>');
    expect((await serve(request('GET', '/console/console.js'))).headers['Content-Type']).toBe('text/javascript; charset=utf-8');
    expect((await serve(request('GET', '/console/console.css'))).headers['Content-Type']).toBe('text/css; charset=utf-8');
  });

  it('answers 304 to a revalidation with the current ETag', async () => {
    const first = await serve(request('GET', '/console/console.js'));
    const again = await serve(request('GET', '/console/console.js', { 'if-none-match': String(first.headers['ETag']) }));
    expect(again.status).toBe(304);
    expect(again.body).toBeUndefined();
  });

  it('serves nothing outside its fixed list, whatever the path says', async () => {
    for (const path of ['/console/secret.txt', '/console/../package.json', '/console/%2e%2e/package.json', '/console/index.html/', '/console//etc/passwd']) {
      expect((await serve(request('GET', path))).status).toBe(404);
    }
  });

  it('refuses writes and leaves every other path to the API', async () => {
    expect(await serve(request('POST', '/console/index.html'))).toMatchObject({ status: 405, headers: { Allow: 'GET, HEAD' } });
    expect(await serve(request('GET', '/v2/'))).toBe(API);
    expect(await serve(request('GET', '/consoles'))).toBe(API);
  });

  it('answers 404 saying how to build when the console was not built', async () => {
    const bare = consoleFiles(join(dir, 'missing'), pino({ level: 'silent' })).around(() => Promise.resolve(API));
    const response = await bare(request('GET', '/console/'));
    expect(response.status).toBe(404);
    expect(String(response.body)).toContain('console-web:build');
  });
});
