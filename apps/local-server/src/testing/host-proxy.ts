import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface HostProxy {
  /** `http://127.0.0.1:<port>`, for HTTP_PROXY. */
  readonly url: string;
  close(): Promise<void>;
}

/**
 * A forward HTTP proxy that sends every request to one server, keeping the Host the client addressed.
 * `<account>.dkr.ecr.<region>.localhost` names a registry but does not resolve on every machine; skopeo
 * (Go) sends such requests through HTTP_PROXY, so the hosts work without touching name resolution.
 */
export async function startHostProxy(target: string): Promise<HostProxy> {
  const to = new URL(target);
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', `http://${req.headers.host ?? to.host}`);
    const upstream = request(
      { host: to.hostname, port: to.port, method: req.method, path: `${url.pathname}${url.search}`, headers: req.headers, agent: false },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    upstream.on('error', () => res.destroy());
    req.pipe(upstream);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
