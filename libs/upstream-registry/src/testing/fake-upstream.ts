import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export type FakeRoute = (request: IncomingMessage, response: ServerResponse) => void;

export interface FakeUpstream {
  /** `<address>:<port>`. */
  readonly host: string;
  /** Every request seen: method, path and headers, in order. */
  readonly requests: { method: string; path: string; headers: IncomingMessage['headers'] }[];
  stop(): Promise<void>;
}

/**
 * A hand-scripted HTTP server on a loopback address (127.0.0.1 by default; any 127/8 address works on
 * Linux, which gives specs a second "host" without leaving the machine): for misbehaving upstreams a
 * real registry will not imitate (wrong bytes, redirects, foreign realms, stalls).
 */
export async function startFakeUpstream(route: FakeRoute, address = '127.0.0.1'): Promise<FakeUpstream> {
  const requests: FakeUpstream['requests'] = [];
  const sockets = new Set<Socket>();
  const server = createServer((request, response) => {
    requests.push({ method: request.method ?? '', path: request.url ?? '', headers: request.headers });
    route(request, response);
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, address, resolve));
  const { port } = server.address() as AddressInfo;
  return {
    host: `${address}:${port}`,
    requests,
    stop: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
