import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A loopback proxy in front of a real registry that records every request (`METHOD path`) and, with
 * `corrupt`, serves bytes which do not match their digest: it flips the last byte of every blob body
 * (lengths and headers unchanged).
 */
export async function startCorruptingProxy(
  target: string,
  options: { corrupt?: boolean } = {},
): Promise<{ registry: string; requests: string[]; stop(): Promise<void> }> {
  const requests: string[] = [];
  const corrupt = options.corrupt ?? true;
  const [host, port] = target.split(':');
  const server: Server = createServer((incoming, outgoing) => {
    requests.push(`${incoming.method} ${incoming.url}`);
    const upstream = request(
      { host, port: Number(port), method: incoming.method, path: incoming.url, headers: { ...incoming.headers, host: target } },
      (answer) => {
        const blob = corrupt && /\/blobs\/sha256:/.test(incoming.url ?? '') && answer.statusCode === 200 && incoming.method === 'GET';
        outgoing.writeHead(answer.statusCode ?? 502, answer.headers);
        if (!blob) return void answer.pipe(outgoing);
        const chunks: Buffer[] = [];
        answer.on('data', (chunk: Buffer) => chunks.push(chunk));
        answer.on('end', () => {
          const body = Buffer.concat(chunks);
          if (body.length > 0) body[body.length - 1] = (body[body.length - 1] as number) ^ 0xff;
          outgoing.end(body);
        });
      },
    );
    upstream.on('error', () => outgoing.destroy());
    incoming.pipe(upstream);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    registry: `127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests,
    stop: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
