import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { promisify } from 'node:util';
import pino from 'pino';
import type { ConfigFile } from './config';
import { startServer, type RunningServer } from './server';
import { raw, sha256 } from './testing/registry-client';

/**
 * Slow, silent and greedy clients (issue 11, item 3): a header timeout, an idle timeout between body
 * bytes (not on the whole upload), and a connection cap with a clean refusal.
 */
const SECOND = 1000;
const servers: Array<{ server: RunningServer; dataDir: string }> = [];

async function serve(config: ConfigFile, logs?: string[]): Promise<RunningServer> {
  const dataDir = await mkdtemp(join(tmpdir(), 'cargohold-slow-'));
  const logger = logs
    ? pino({ level: 'debug' }, new Writable({ write: (chunk, _encoding, done) => done(void logs.push(String(chunk))) }))
    : pino({ level: 'silent' });
  const server = await startServer({ port: 0, dataDir, logger, allowAnonymous: true, config });
  servers.push({ server, dataDir });
  return server;
}

afterAll(async () => {
  for (const { server, dataDir } of servers) {
    await server.close(100);
    await rm(dataDir, { recursive: true, force: true });
  }
});

/** A raw connection, and when it closed (ms after opening) and what it received. */
function open(server: RunningServer): { socket: Socket; closed: Promise<{ afterMs: number; received: string }> } {
  const { port } = server;
  const socket = connect(port, '127.0.0.1');
  const opened = Date.now();
  let received = '';
  socket.on('data', (chunk) => (received += chunk.toString('latin1')));
  socket.on('error', () => undefined);
  const closed = new Promise<{ afterMs: number; received: string }>((resolve) => socket.on('close', () => resolve({ afterMs: Date.now() - opened, received })));
  return { socket, closed };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('slow and silent clients', () => {
  let server: RunningServer;
  beforeAll(async () => {
    server = await serve({ server: { headersTimeoutSeconds: 1, idleTimeoutSeconds: 1, keepAliveTimeoutSeconds: 1 } });
  });

  it('closes a connection that sends nothing', async () => {
    const { closed } = open(server);
    expect((await closed).afterMs).toBeLessThan(4 * SECOND);
  });

  it('closes a connection that trickles header lines past the header timeout', async () => {
    const { socket, closed } = open(server);
    socket.write('GET /v2/ HTTP/1.1\r\nHost: x\r\n');
    let sent = 0;
    const trickle = setInterval(() => socket.writable && socket.write(`X-Slow-${sent++}: 1\r\n`), 300);
    const { afterMs } = await closed;
    clearInterval(trickle);
    expect(afterMs).toBeLessThan(4 * SECOND);
  });

  it('drops an upload whose bytes stop, keeping the upload resumable where it was', async () => {
    const start = await raw(server.url, 'POST', '/v2/slow/app/blobs/uploads/');
    const location = String(start.headers['location']);
    const { socket, closed } = open(server);
    socket.write(`PATCH ${location} HTTP/1.1\r\nHost: x\r\nContent-Type: application/octet-stream\r\nContent-Length: 1000000\r\n\r\n`);
    socket.write('x');

    expect((await closed).afterMs).toBeLessThan(4 * SECOND);
    const status = await raw(server.url, 'GET', location);
    expect({ status: status.status, range: status.headers['range'] }).toEqual({ status: 204, range: '0-0' });
    const blob = randomBytes(1000);
    const part = await raw(server.url, 'PATCH', location, { headers: { 'Content-Length': 1000, 'Content-Range': '0-999' }, body: blob });
    expect(part.status).toBe(202);
  });

  it('keeps an upload whose bytes keep coming, however long it takes in total', async () => {
    const blob = randomBytes(12);
    const { socket, closed } = open(server);
    socket.write(`POST /v2/slow/app/blobs/uploads/?digest=${sha256(blob)} HTTP/1.1\r\nHost: x\r\nContent-Length: ${blob.length}\r\n\r\n`);
    for (const byte of blob) {
      await sleep(250);
      socket.write(Buffer.from([byte]));
    }
    // 3 s in all, three times the idle timeout, but never a silent second.
    await sleep(200);
    socket.end();
    expect((await closed).received).toMatch(/^HTTP\/1\.1 201 /);
  });

  it('drops a whole-blob POST that stops after 10 of 1,000,000 bytes, storing nothing', async () => {
    const digest = sha256(randomBytes(16));
    const { socket, closed } = open(server);
    socket.write(`POST /v2/slow/app/blobs/uploads/?digest=${digest} HTTP/1.1\r\nHost: x\r\nContent-Length: 1000000\r\n\r\n`);
    socket.write(randomBytes(10));

    expect((await closed).afterMs).toBeLessThan(4 * SECOND);
    expect((await raw(server.url, 'HEAD', `/v2/slow/app/blobs/${digest}`)).status).toBe(404);
  });
});

describe('a connection cap', () => {
  it('answers connections beyond it with 503 UNAVAILABLE and Retry-After, and serves again once they close', async () => {
    const server = await serve({ server: { maxConnections: 3 } });
    const held = [open(server), open(server), open(server)];
    await sleep(100);

    const refused = open(server);
    refused.socket.write('GET /v2/ HTTP/1.1\r\nHost: x\r\n\r\n');
    const { received } = await refused.closed;
    expect(received).toMatch(/^HTTP\/1\.1 503 Service Unavailable\r\n/);
    expect(received).toContain('Retry-After: 1');
    expect(received).toContain('"code":"UNAVAILABLE"');

    for (const { socket } of held) socket.destroy();
    await Promise.all(held.map(({ closed }) => closed));
    await sleep(50);
    expect((await raw(server.url, 'GET', '/v2/')).status).toBe(200);
  });
});

describe('logging', () => {
  it('does not log a blob download the client closed right after the last byte as an error', async () => {
    const logs: string[] = [];
    const server = await serve({}, logs);
    const blob = randomBytes(4 * 1024 * 1024);
    const put = await raw(server.url, 'POST', `/v2/logs/app/blobs/uploads/?digest=${sha256(blob)}`, { headers: { 'Content-Length': blob.length }, body: blob });
    expect(put.status).toBe(201);

    // Another process, as real clients are: curl reads Content-Length bytes, then exits and closes.
    for (let attempt = 0; attempt < 30; attempt++) {
      await promisify(execFile)('curl', ['-sS', '-o', '/dev/null', `${server.url}/v2/logs/app/blobs/${sha256(blob)}`]);
    }
    await sleep(100);

    expect(logs.map((line) => JSON.parse(line) as { level: number; msg: string }).filter((line) => line.level >= 40)).toEqual([]);
  });
});

describe('shutdown grace', () => {
  it('closes in-flight requests after the grace; a chunked upload resumes from its last acknowledged chunk', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'cargohold-grace-'));
    const logger = pino({ level: 'silent' });
    const first = await startServer({ port: 0, dataDir, logger, allowAnonymous: true, shutdownGraceSeconds: 0.5 });
    try {
      const start = await raw(first.url, 'POST', '/v2/grace/app/blobs/uploads/');
      const location = String(start.headers['location']);
      const chunk = randomBytes(1000);
      expect((await raw(first.url, 'PATCH', location, { headers: { 'Content-Length': 1000, 'Content-Range': '0-999' }, body: chunk })).status).toBe(202);
      const digest = sha256(randomBytes(8));
      const streaming = open(first);
      streaming.socket.write(`PATCH ${location} HTTP/1.1\r\nHost: x\r\nContent-Length: 100000\r\nContent-Range: 1000-100999\r\n\r\n`);
      streaming.socket.write(randomBytes(500));
      const monolithic = open(first);
      monolithic.socket.write(`POST /v2/grace/app/blobs/uploads/?digest=${digest} HTTP/1.1\r\nHost: x\r\nContent-Length: 100000\r\n\r\n`);
      monolithic.socket.write(randomBytes(500));
      await sleep(100);

      const began = Date.now();
      await first.close();
      expect(Date.now() - began).toBeGreaterThanOrEqual(400);
      await Promise.all([streaming.closed, monolithic.closed]);

      const second = await startServer({ port: 0, dataDir, logger, allowAnonymous: true });
      try {
        const status = await raw(second.url, 'GET', location);
        expect({ status: status.status, range: status.headers['range'] }).toEqual({ status: 204, range: '0-999' });
        expect((await raw(second.url, 'HEAD', `/v2/grace/app/blobs/${digest}`)).status).toBe(404);
      } finally {
        await second.close(100);
      }
    } finally {
      await first.close(100);
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});
