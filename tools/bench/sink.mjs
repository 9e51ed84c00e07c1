// The floor for a monolithic upload: a bare Node HTTP server that pipes each request body through sha256
// into a file, fsyncs it, renames it into place, fsyncs the directory, and answers 201 (400 if ?digest= does not match).
// Everything a registry must do at minimum to honour "2xx means durable" and "the digest is a claim".
// GET …/blobs/sha256:<hex> streams a stored file back with fs.createReadStream: the floor for a blob GET.
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { open, rename, rm, stat } from 'node:fs/promises';
import { once } from 'node:events';
import { createServer } from 'node:http';
import { join } from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { parseArgs } from 'node:util';

const { values } = parseArgs({ options: { port: { type: 'string' }, dir: { type: 'string' } } });

const server = createServer(async (req, res) => {
  if (req.method === 'GET') {
    const blob = /\/blobs\/sha256:([0-9a-f]{64})$/.exec(req.url);
    if (!blob) return res.end('ok');
    const path = join(values.dir, blob[1]);
    const { size } = await stat(path);
    res.writeHead(200, { 'Content-Type': 'application/octet-stream', 'Content-Length': size });
    return pipeline(createReadStream(path), res);
  }
  const hash = createHash('sha256');
  const tap = new Transform({
    transform(chunk, _encoding, callback) {
      hash.update(chunk);
      callback(null, chunk);
    },
  });
  const partial = join(values.dir, `.partial-${randomBytes(8).toString('hex')}`);
  // flush: fsync before close; pipeline settles once the file is closed.
  const file = createWriteStream(partial, { flush: true, highWaterMark: 1 << 20 });
  await pipeline(req, tap, file);
  if (!file.closed) await once(file, 'close');
  const digest = `sha256:${hash.digest('hex')}`;
  const claimed = new URL(req.url, 'http://sink').searchParams.get('digest');
  if (claimed !== digest) {
    await rm(partial, { force: true });
    res.writeHead(400).end('digest mismatch');
    return;
  }
  await rename(partial, join(values.dir, digest.slice(7)));
  const dir = await open(values.dir, 'r'); // the rename is durable once the directory is synced
  await dir.sync();
  await dir.close();
  res.writeHead(201, { 'Docker-Content-Digest': digest, 'Content-Length': 0 }).end();
});
server.keepAliveTimeout = 30_000;
server.listen(Number(values.port), '127.0.0.1', () => {
  process.stdout.write(`${JSON.stringify({ url: `http://127.0.0.1:${server.address().port}` })}\n`);
});
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => process.exit(0));
