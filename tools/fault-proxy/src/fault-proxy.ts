import { createServer, request as httpRequest, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { buffer } from 'node:stream/consumers';
import { pipeline } from 'node:stream/promises';
import { jsonErrorAnswer, s3ErrorAnswer, transactionCanceledAnswer, type ErrorAnswer, type Fault } from './faults';
import { operationOf } from './operations';
import { FaultSchedule } from './schedule';

export interface FaultProxyOptions {
  /** The emulator behind the proxy (`http://127.0.0.1:PORT`); none when every request is answered by a `respond` fault. */
  readonly upstream?: string;
  readonly schedule: FaultSchedule;
}

export interface FaultProxy {
  /** `http://127.0.0.1:PORT`: where the SDK clients point instead of the emulator. */
  readonly endpoint: string;
  readonly schedule: FaultSchedule;
  /** Drops every connection (held requests included) and stops listening. */
  stop(): Promise<void>;
}

/**
 * A fault-injecting HTTP proxy between the AWS SDK clients and an emulator. Requests are forwarded byte
 * for byte (method, path and query, raw headers in their order and spelling, so SigV4 signatures still
 * verify; the body streamed as it comes) and the emulator's answer streams back the same way, unless the
 * schedule names a fault for the request's operation.
 */
export async function startFaultProxy(options: FaultProxyOptions): Promise<FaultProxy> {
  const upstream = options.upstream ? new URL(options.upstream) : undefined;
  const sockets = new Set<Socket>();
  const server = createServer((req, res) => {
    const fault = options.schedule.decide(operationOf({ method: req.method ?? 'GET', url: req.url ?? '/', headers: req.headers }));
    handle(req, res, fault).catch(() => {
      // A client that went away (a timeout, a killed process) or an emulator that did: drop the exchange.
      req.destroy();
      res.destroy();
    });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });

  async function handle(req: IncomingMessage, res: ServerResponse, fault: Fault | undefined): Promise<void> {
    switch (fault?.kind) {
      case undefined:
        return forward(req, res);
      case 's3-error':
        await buffer(req);
        return answer(res, s3ErrorAnswer(fault.code, req.url ?? '/'));
      case 'json-error':
        await buffer(req);
        return answer(res, jsonErrorAnswer(fault.type));
      case 'transaction-canceled':
        return answer(res, transactionCanceledAnswer(fault.code, await buffer(req), fault.at));
      case 'timeout':
        // Read everything, answer nothing: only the client's timeout ends this exchange.
        await buffer(req);
        return;
      case 'hold':
        if (fault.afterUpstream) return forward(req, res, undefined, fault.onHeld);
        await buffer(req);
        fault.onHeld();
        return;
      case 'before':
        await fault.action();
        return forward(req, res);
      case 'rewrite':
        return forward(req, res, fault.rewrite);
      case 'respond':
        return answer(res, fault.respond(await buffer(req)));
    }
  }

  async function forward(req: IncomingMessage, res: ServerResponse, rewrite?: (body: Buffer) => Buffer, onAnswered?: () => void): Promise<void> {
    if (!upstream) throw new Error(`no upstream for ${req.method} ${req.url}`);
    const out = httpRequest({ host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers: req.rawHeaders, setHost: false });
    const answered = new Promise<IncomingMessage>((resolve, reject) => {
      out.once('response', resolve);
      out.once('error', reject);
    });
    await pipeline(req, out);
    const reply = await answered;
    if (onAnswered) {
      // The emulator did it; the client never hears so.
      await buffer(reply);
      onAnswered();
      return;
    }
    if (!rewrite) {
      res.writeHead(reply.statusCode ?? 502, reply.statusMessage, reply.rawHeaders);
      await pipeline(reply, res);
      return;
    }
    const body = rewrite(await buffer(reply));
    const headers: Record<string, string> = {};
    for (let i = 0; i < reply.rawHeaders.length; i += 2) {
      const name = reply.rawHeaders[i] ?? '';
      if (!/^(content-length|transfer-encoding|content-encoding|x-amz-crc32)$/i.test(name)) headers[name] = reply.rawHeaders[i + 1] ?? '';
    }
    res.writeHead(reply.statusCode ?? 502, { ...headers, 'Content-Length': String(body.length) });
    res.end(body);
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    schedule: options.schedule,
    stop: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function answer(res: ServerResponse, reply: ErrorAnswer): void {
  res.writeHead(reply.status, { ...reply.headers, 'Content-Length': String(Buffer.byteLength(reply.body)) });
  res.end(reply.body);
}
