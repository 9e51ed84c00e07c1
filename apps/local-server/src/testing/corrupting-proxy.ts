import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * An upstream that serves bytes which do not match their digest: a loopback proxy in front of a real
 * registry that flips the last byte of every blob body (lengths and headers unchanged).
 */
export async function startCorruptingProxy(target: string): Promise<{ registry: string; stop(): Promise<void> }> {
  const [host, port] = target.split(':');
  const server: Server = createServer((incoming, outgoing) => {
    const upstream = request(
      { host, port: Number(port), method: incoming.method, path: incoming.url, headers: { ...incoming.headers, host: target } },
      (answer) => {
        const blob = /\/blobs\/sha256:/.test(incoming.url ?? '') && answer.statusCode === 200 && incoming.method === 'GET';
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
    stop: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
