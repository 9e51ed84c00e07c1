import { readFile, truncate, writeFile } from 'node:fs/promises';
import { request } from 'node:http';
import { join } from 'node:path';

/** Where the embedded store keeps the bytes of `digest` (the fs adapter's layout, fs-layout.ts). */
export function blobFile(dataDir: string, digest: string): string {
  const [algorithm, hex] = digest.split(':') as [string, string];
  return join(dataDir, 'blobs', algorithm, hex.slice(0, 2), hex);
}

/** What a disk does to a file behind the server's back: one byte changed in place. */
export async function flipByte(path: string, at?: number): Promise<void> {
  const bytes = await readFile(path);
  const index = at ?? Math.floor(bytes.length / 2);
  bytes[index] = (bytes[index] as number) ^ 0xff;
  await writeFile(path, bytes);
}

export async function truncateFile(path: string, length: number): Promise<void> {
  await truncate(path, length);
}

export interface ReceivedBody {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly body: Buffer;
  /** The response ended with every byte its Content-Length announced (the client saw a success). */
  readonly complete: boolean;
  readonly ms: number;
  /** The request failed before a response arrived (status 0). */
  readonly error?: Error;
}

/**
 * A GET that reports how the body ended instead of failing: a client sees a silent success only when
 * `complete` is true; an aborted connection leaves it false (status 0 when it came before the headers). Times out (and says so) after `timeoutMs`.
 */
export function getBody(base: string, path: string, headers: Record<string, string> = {}, timeoutMs = 10_000): Promise<ReceivedBody> {
  const url = new URL(base);
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const req = request({ host: url.hostname, port: url.port, method: 'GET', path, headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      let settled = false;
      const finish = () => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks), complete: res.complete, ms: Date.now() - started });
      };
      const timer = setTimeout(() => {
        settled = true;
        req.destroy();
        reject(new Error(`GET ${path} still open after ${timeoutMs} ms with ${Buffer.concat(chunks).length} bytes`));
      }, timeoutMs);
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', finish);
      res.on('error', finish);
      res.on('close', finish);
    });
    // A connection destroyed before the headers went out (a body that failed in its first chunk).
    req.on('error', (error) => resolve({ status: 0, headers: {}, body: Buffer.alloc(0), complete: false, ms: Date.now() - started, error }));
    req.end();
  });
}
