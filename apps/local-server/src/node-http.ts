import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
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
  return new NodeHttpRequest(req, observed, path);
}

/**
 * A class, not an object literal: a literal with a getter and conditional spreads was built on V8's slow
 * path, the dearest line of a cached manifest GET in the transport's profile.
 */
class NodeHttpRequest implements HttpRequest {
  readonly method: string;
  readonly headers: Record<string, string | undefined>;
  readonly body: IncomingMessage;
  readonly sourceIp?: string;
  readonly observed?: RequestObservation;
  private readonly target: string;
  private parsedQuery: URLSearchParams | undefined;

  constructor(
    req: IncomingMessage,
    observed: RequestObservation | undefined,
    readonly path: string,
  ) {
    this.method = req.method ?? 'GET';
    this.target = req.url ?? '/';
    this.headers = headersOf(req);
    this.body = req;
    const address = req.socket.remoteAddress;
    if (address) this.sourceIp = address;
    if (observed) this.observed = observed;
  }

  /** Parsed on first use: most requests (a manifest or blob GET) never read their query. */
  get query(): URLSearchParams {
    if (this.parsedQuery === undefined) {
      const { target, path } = this;
      this.parsedQuery = new URLSearchParams(target.length > path.length ? target.slice(path.length + 1) : '');
    }
    return this.parsedQuery;
  }
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
  // Exchanges arrived and not yet settled, and the settled() calls waiting for there to be none. A count,
  // not a set of promises: tracking each exchange's promise cost every request a promise and a closure.
  let unsettled = 0;
  let waiting: (() => void)[] = [];
  const settle = (): void => {
    if (--unsettled > 0 || waiting.length === 0) return;
    const wake = waiting;
    waiting = [];
    for (const resolve of wake) resolve();
  };
  // Requests start in batches: those that arrive while the event loop reads its sockets (node:http emits
  // them there) start together right after (setImmediate), behind one onArrival. One look for other
  // processes' commits, taken after all of them arrived, then serves them all, where a look per request
  // cost two fcntl calls each (the dearest thing a cached GET did besides its write).
  let arrived: (IncomingMessage | ServerResponse)[] = [];
  const startArrived = (): void => {
    const batch = arrived;
    arrived = [];
    options.onArrival?.();
    // serve never rejects (a failure becomes a 500 or a destroyed socket) and settles its exchange itself.
    for (let i = 0; i < batch.length; i += 2) void serve(handler, logger, batch[i] as IncomingMessage, batch[i + 1] as ServerResponse, options, settle);
  };
  const listener = (req: IncomingMessage, res: ServerResponse): void => {
    // Counted from its arrival, so that settled() waits for an exchange whose batch has not started yet.
    unsettled++;
    if (arrived.length === 0) setImmediate(startArrived);
    arrived.push(req, res);
  };
  return Object.assign(listener, {
    settled: (): Promise<void> => (unsettled === 0 ? Promise.resolve() : new Promise<void>((resolve) => waiting.push(resolve))),
  });
}

async function serve(
  handler: HttpHandler,
  logger: Logger,
  req: IncomingMessage,
  res: ServerResponse,
  options: ListenerOptions,
  settle: () => void,
): Promise<void> {
  const started = performance.now();
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
    // First: what follows is synchronous, so it is done before anyone woken here runs.
    settle();
    if (!req.complete) req.socket?.destroySoon?.();
    counters.read = socket.bytesRead;
    counters.written = socket.bytesWritten;
    const outcome: RequestOutcome = {
      method: req.method ?? 'GET',
      path,
      status: res.statusCode,
      bytesIn: socket.bytesRead - readBefore,
      bytesOut: socket.bytesWritten - writtenBefore,
      ms: performance.now() - started,
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
