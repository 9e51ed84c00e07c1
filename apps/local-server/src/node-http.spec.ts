import { createServer, type Server } from 'node:http';
import { connect } from 'node:net';
import type { AddressInfo } from 'node:net';
import type { HttpHandler } from '@cargohold/lambda-kit';
import pino from 'pino';
import { nodeListener } from './node-http';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('nodeListener.settled', () => {
  let server: Server | undefined;

  afterEach(async () => {
    server?.closeAllConnections();
    await new Promise((resolve) => server?.close(resolve));
  });

  it('waits for a handler still rolling back after its connection was closed', async () => {
    const events: string[] = [];
    // As an upload's append: read the body; when it is cut, undo what was written (slowly, as a truncate
    // and fsync on a loaded disk are), then fail.
    const handler: HttpHandler = async (request) => {
      try {
        for await (const chunk of request.body as AsyncIterable<Buffer>) events.push(`read ${chunk.length}`);
        return { status: 202, headers: {} };
      } catch (error) {
        await sleep(300);
        events.push('rolled back');
        throw error;
      }
    };
    const listener = nodeListener(handler, pino({ level: 'silent' }));
    server = createServer(listener);
    await new Promise<void>((resolve) => server?.listen(0, '127.0.0.1', resolve));
    const socket = connect((server.address() as AddressInfo).port, '127.0.0.1');
    socket.on('error', () => undefined);
    socket.write('PATCH /v2/app/blobs/uploads/x HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\n');
    socket.write(Buffer.alloc(500));
    while (!events.includes('read 500')) await sleep(10);

    const closed = new Promise((resolve) => server?.close(resolve));
    server.closeAllConnections();
    await closed;
    expect(events).not.toContain('rolled back');

    await listener.settled();
    expect(events).toEqual(['read 500', 'rolled back']);
  });

  it('resolves at once when nothing is running', async () => {
    const listener = nodeListener(async () => ({ status: 200, headers: {} }), pino({ level: 'silent' }));
    await expect(listener.settled()).resolves.toBeUndefined();
  });
});

describe('nodeListener request headers', () => {
  let server: Server | undefined;

  afterEach(async () => {
    server?.closeAllConnections();
    await new Promise((resolve) => server?.close(resolve));
  });

  it('hands the handler lower-cased names, repeated headers joined with ", "', async () => {
    let seen: Readonly<Record<string, string | undefined>> = {};
    const listener = nodeListener(
      async (request) => {
        seen = request.headers;
        return { status: 204, headers: {} };
      },
      pino({ level: 'silent' }),
    );
    server = createServer(listener);
    await new Promise<void>((resolve) => server?.listen(0, '127.0.0.1', resolve));
    const socket = connect((server.address() as AddressInfo).port, '127.0.0.1');
    const answered = new Promise<string>((resolve) => socket.once('data', (chunk) => resolve(chunk.toString())));
    socket.write('GET /v2/ HTTP/1.1\r\nHost: x\r\nX-Thing: a\r\nx-thing: b\r\nSet-Cookie: c=1\r\nSet-Cookie: d=2\r\nAccept: */*\r\n\r\n');
    expect(await answered).toMatch(/^HTTP\/1.1 204/);
    socket.destroy();
    expect(seen).toMatchObject({ host: 'x', 'x-thing': 'a, b', 'set-cookie': 'c=1, d=2', accept: '*/*' });
  });
});
