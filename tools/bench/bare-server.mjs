// The ceiling for a small GET: a bare node:http server answering every request with the same fixed
// 1 KiB body (about a manifest's size) and the headers a registry sends, over keep-alive. No routing, no
// storage, no auth, no logging: what Node itself costs per request on this machine.
import { createServer } from 'node:http';
import { parseArgs } from 'node:util';

const { values } = parseArgs({ options: { port: { type: 'string' } } });
const body = Buffer.alloc(1024, '{}');
const headers = { 'Content-Type': 'application/vnd.oci.image.manifest.v1+json', 'Content-Length': body.length };

const server = createServer((req, res) => {
  res.writeHead(200, headers);
  res.end(body);
});
server.keepAliveTimeout = 30_000;
server.listen(Number(values.port), '127.0.0.1');
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => process.exit(0));
