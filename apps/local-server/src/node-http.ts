import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import {
  observeRequest,
  REQUEST_ID_HEADER,
  requestLogFields,
  type HttpHandler,
  type HttpRequest,
  type RequestObservation,
  type RequestOutcome,
} from '@cargohold/lambda-kit';
import type { Logger } from 'pino';

/** The raw path as the client sent it: WHATWG URL parsing would resolve `..` and `%2e%2e` first. */
function pathOf(target: string): string {
  const q = target.indexOf('?');
  return q < 0 ? target : target.slice(0, q);
}

export function toHttpRequest(req: IncomingMessage, observed?: RequestObservation, path = pathOf(req.url ?? '/')): HttpRequest {
  const target = req.url ?? '/';
  let query: URLSearchParams | undefined;
  return {
    method: req.method ?? 'GET',
    path,
    // Parsed on first use: most requests (a manifest or blob GET) never read their query.
    get query() {
      return (query ??= new URLSearchParams(target.length > path.length ? target.slice(path.length + 1) : ''));
    },
    headers: headersOf(req),
    body: req,
    ...(req.socket.remoteAddress ? { sourceIp: req.socket.remoteAddress } : {}),
    ...(observed ? { observed } : {}),
  };
}

/**
 * The request's headers, repeated ones joined with ", ": node:http's own object as it is, since it joins
 * every repeated request header that way already except Set-Cookie (a list), which clients do not send.
 * Copying it cost every request a loop over its headers.
 */
function headersOf(req: IncomingMessage): Record<string, string | undefined> {
  const { headers } = req;
  const cookies = headers['set-cookie'];
  if (cookies === undefined) return headers as Record<string, string | undefined>;
  return { ...headers, 'set-cookie': cookies.join(', ') };
}

export interface ListenerOptions {
  /**
   * How long a connection may sit without a byte moving while the client owes us bytes or reads ours:
   * between two bytes of a request body, and between two writes of a response the client reads.
   */
  readonly idleMs?: number;
  /** Called once per finished exchange (the metrics); the request log line is written either way. */
  readonly onComplete?: (observed: RequestObservation, outcome: RequestOutcome) => void;
  /**
   * Called before the handlers of a batch of arrived requests run (see nodeListener): what they read must
   * include every commit acknowledged before they arrived, so the SQLite read caches look again here.
   */
  readonly onArrival?: () => void;
}

/**
 * Serves a transport-neutral handler over node:http. Bodies stream both ways; a response sent before
 * the request body was read (an early error) closes the connection instead of draining a large upload.
 *
 * Idle timeouts apply only while bytes are owed: while the request body arrives (an upload may be as
 * long as it likes, as long as bytes keep coming) and while the response body goes out (a client that
 * stops reading is dropped). While the handler works (a commit, a copy) the connection may be silent.
 */
/** Each connection's byte counters where its previous exchange ended. */
const socketCounters = new WeakMap<Socket, { read: number; written: number }>();

/** A node:http request listener that knows which of its exchanges are still running. */
export interface NodeListener {
  (req: IncomingMessage, res: ServerResponse): void;
  /**
   * Resolves once every exchange begun so far has settled: its handler returned, a rollback after a cut
   * body included. A closed connection does not mean that: the handler may still be undoing its writes.
   */
  settled(): Promise<void>;
}

export function nodeListener(handler: HttpHandler, logger: Logger, options: ListenerOptions = {}): NodeListener {
  const running = new Set<Promise<void>>();
  // Requests start in batches: those that arrive while the event loop reads its sockets (node:http emits
  // them there) start together right after (setImmediate), behind one onArrival. One look for other
  // processes' commits, taken after all of them arrived, then serves them all, where a look per request
  // cost two fcntl calls each (the dearest thing a cached GET did besides its write).
  let arrived: (IncomingMessage | ServerResponse)[] = [];
  const startArrived = (): void => {
    const batch = arrived;
    arrived = [];
    options.onArrival?.();
    for (let i = 0; i < batch.length; i += 2) {
      const req = batch[i] as IncomingMessage;
      const res = batch[i + 1] as ServerResponse;
      // serve never rejects (a failure becomes a 500 or a destroyed socket); node:http ignores a
      // listener's return value, so the exchange is kept here for settled().
      const exchange: Promise<void> = serve(handler, logger, req, res, options).finally(() => running.delete(exchange));
      running.add(exchange);
    }
  };
  const listener = (req: IncomingMessage, res: ServerResponse): void => {
    if (arrived.length === 0) {
      // Held in running until the batch has started, so that settled() waits for its exchanges too.
      const started: Promise<void> = new Promise<void>((resolve) => setImmediate(() => resolve(startArrived()))).finally(() => running.delete(started));
      running.add(started);
    }
    arrived.push(req, res);
  };
  return Object.assign(listener, {
    settled: async () => {
      while (running.size > 0) await Promise.allSettled([...running]);
    },
  });
}

async function serve(handler: HttpHandler, logger: Logger, req: IncomingMessage, res: ServerResponse, options: ListenerOptions): Promise<void> {
  const started = process.hrtime.bigint();
  const { socket } = req;
  // Exchanges on one connection follow each other, so the socket's counters' growth since the previous
  // exchange ended is this one's bytes, headers included. (Counting from the 'request' event instead would
  // miss the body bytes Node had already read along with the headers.)
  let counters = socketCounters.get(socket);
  if (!counters) {
    counters = { read: 0, written: 0 };
    socketCounters.set(socket, counters);
  }
  const { read: readBefore, written: writtenBefore } = counters;
  const path = pathOf(req.url ?? '/');
  const observed = observeRequest();
  const { idleMs } = options;
  const idle = (on: boolean) => idleMs !== undefined && socket.setTimeout(on ? idleMs : 0);
  // Only a request with a body owes bytes after its headers: a GET's end follows at once, and arming the
  // timer for it (then disarming it) would cost every such request two timer updates and a listener.
  if (!req.complete && carriesBody(req)) {
    idle(true);
    req.once('end', () => idle(false));
  }
  try {
    const response = await handler(toHttpRequest(req, observed, path));
    res.writeHead(response.status, headerList(observed.requestId, response.headers, !req.complete));
    const { body } = response;
    if (body === undefined || req.method === 'HEAD') {
      if (body instanceof Readable) body.destroy();
      res.end();
    } else if (body instanceof Readable) {
      idle(true);
      await pipeline(body, res);
    } else {
      res.end(body);
    }
  } catch (error) {
    if (clientWentAway(error, req, res)) {
      // The client closed the connection (often right after the last byte): nothing went wrong here.
      logger.debug({ requestId: observed.requestId }, 'client closed the connection');
    } else {
      logger.warn({ err: error, requestId: observed.requestId }, 'response aborted');
    }
    if (!res.headersSent && !res.destroyed) {
      res.writeHead(500, headerList(observed.requestId, { 'Content-Type': 'application/json' }, true));
      res.end('{"errors":[{"code":"UNKNOWN","message":"internal server error"}]}');
    } else {
      res.destroy();
    }
  } finally {
    if (!req.complete) req.socket?.destroySoon?.();
    counters.read = socket.bytesRead;
    counters.written = socket.bytesWritten;
    const outcome: RequestOutcome = {
      method: req.method ?? 'GET',
      path,
      status: res.statusCode,
      bytesIn: socket.bytesRead - readBefore,
      bytesOut: socket.bytesWritten - writtenBefore,
      ms: Number(process.hrtime.bigint() - started) / 1e6,
    };
    if (logger.isLevelEnabled('info')) logger.info(requestLogFields(observed, outcome), 'request');
    if (observed.denied) logger.debug({ requestId: observed.requestId, denied: observed.denied }, 'access denied');
    options.onComplete?.(observed, outcome);
  }
}

/**
 * The response's headers as writeHead's flat list, the request id first. Node takes a list (or object)
 * handed to writeHead as it is; a header set earlier with setHeader would make it copy every header
 * through setHeader instead, on every response.
 */
function headerList(requestId: string, headers: Readonly<Record<string, string | number>>, close: boolean): (string | number)[] {
  // A list is sent as it is, duplicates included: a handler that names the id itself (the ECR API, as AWS
  // does) must not get it twice, which clients join into one "id, id".
  const list: (string | number)[] = headers[REQUEST_ID_HEADER] === undefined ? [REQUEST_ID_HEADER, requestId] : [];
  for (const name in headers) {
    const value = headers[name];
    if (value !== undefined) list.push(name, value);
  }
  // A response sent before the request body was read: the connection closes instead of draining it.
  if (close) list.push('Connection', 'close');
  return list;
}

/** Whether the request announces a body (RFC 9112 §6.3): a Transfer-Encoding, or a Content-Length other than 0. */
function carriesBody(req: IncomingMessage): boolean {
  const length = req.headers['content-length'];
  return req.headers['transfer-encoding'] !== undefined || (length !== undefined && length !== '0');
}

/** A pipeline that failed because the client's socket closed, not because our body stream failed. */
function clientWentAway(error: unknown, req: IncomingMessage, res: ServerResponse): boolean {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  const closedByPeer = code === 'ERR_STREAM_PREMATURE_CLOSE' || code === 'ECONNRESET' || code === 'EPIPE';
  return closedByPeer && (res.destroyed || req.socket.destroyed);
}
