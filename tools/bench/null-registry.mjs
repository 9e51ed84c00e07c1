// The client's own limit for a push over HTTP: a registry that answers every step of a push at once and
// stores nothing. `HEAD` of a blob answers 404 (so the client uploads it), `POST …/blobs/uploads/` 202 with
// a Location, `PATCH` and `PUT` read the body to its end and answer 202/201, a manifest `PUT` 201. No
// hashing, no disk, no auth: what is left of a push against it is the client's own work and the
// loopback. A real registry must at least hash and store the bytes durably, so it cannot beat this.
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import { parseArgs } from 'node:util';

const { values } = parseArgs({ options: { port: { type: 'string' } } });
const ZERO_DIGEST = `sha256:${'0'.repeat(64)}`;

const server = createServer((req, res) => {
  const { pathname, searchParams } = new URL(req.url ?? '/', 'http://null');
  const answer = (status, headers = {}) => {
    res.writeHead(status, { 'Docker-Distribution-API-Version': 'registry/2.0', 'Content-Length': '0', ...headers });
    res.end();
  };
  const drained = (then) => {
    let size = 0;
    req.on('data', (chunk) => (size += chunk.length));
    req.on('end', () => then(size));
  };
  if (pathname === '/v2/') return answer(200);
  if (req.method === 'HEAD' && pathname.includes('/blobs/')) return answer(404);
  if (req.method === 'POST' && pathname.endsWith('/blobs/uploads/')) {
    const id = randomUUID();
    return answer(202, { Location: `${pathname}${id}`, Range: '0-0', 'Docker-Upload-UUID': id });
  }
  if (req.method === 'PATCH') return drained((size) => answer(202, { Location: pathname, Range: `0-${Math.max(size - 1, 0)}` }));
  if (req.method === 'PUT' && pathname.includes('/blobs/uploads/'))
    return drained(() => answer(201, { Location: pathname, 'Docker-Content-Digest': searchParams.get('digest') ?? ZERO_DIGEST }));
  if (req.method === 'PUT' && pathname.includes('/manifests/')) return drained(() => answer(201, { 'Docker-Content-Digest': ZERO_DIGEST }));
  return answer(404);
});
server.listen(Number(values.port), '127.0.0.1');
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => process.exit(0));
