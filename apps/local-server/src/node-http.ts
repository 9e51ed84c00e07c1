import type { IncomingMessage, ServerResponse } from 'node:http';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { HttpHandler, HttpRequest } from '@cargohold/lambda-kit';
import type { Logger } from 'pino';

/** The raw path as the client sent it: WHATWG URL parsing would resolve `..` and `%2e%2e` first. */
function splitTarget(target: string): { path: string; query: URLSearchParams } {
  const q = target.indexOf('?');
  return q < 0 ? { path: target, query: new URLSearchParams() } : { path: target.slice(0, q), query: new URLSearchParams(target.slice(q + 1)) };
}

export function toHttpRequest(req: IncomingMessage): HttpRequest {
  const { path, query } = splitTarget(req.url ?? '/');
  const headers: Record<string, string | undefined> = {};
  for (const [name, value] of Object.entries(req.headers)) {
    headers[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  return {
    method: req.method ?? 'GET',
    path,
    query,
    headers,
    body: req,
    ...(req.socket.remoteAddress ? { sourceIp: req.socket.remoteAddress } : {}),
  };
}

/** How long a connection may sit without a byte moving while the client owes us bytes or reads ours. */
export interface ConnectionTimeouts {
  /** Between two bytes of a request body, and between two writes of a response the client reads. */
  readonly idleMs: number;
}

/**
 * Serves a transport-neutral handler over node:http. Bodies stream both ways; a response sent before
 * the request body was read (an early error) closes the connection instead of draining a large upload.
 *
 * Idle timeouts apply only while bytes are owed: while the request body arrives (an upload may be as
 * long as it likes, as long as bytes keep coming) and while the response body goes out (a client that
 * stops reading is dropped). While the handler works (a commit, a copy) the connection may be silent.
 */
export function nodeListener(handler: HttpHandler, logger: Logger, timeouts?: ConnectionTimeouts) {
  return (req: IncomingMessage, res: ServerResponse): void => {
    // Fire and forget: serve never rejects (a failure becomes a 500 or a destroyed socket), and node:http
    // ignores a listener's return value anyway.
    void serve(handler, logger, req, res, timeouts);
  };
}

async function serve(handler: HttpHandler, logger: Logger, req: IncomingMessage, res: ServerResponse, timeouts?: ConnectionTimeouts): Promise<void> {
  const started = process.hrtime.bigint();
  const idle = (on: boolean) => timeouts && req.socket.setTimeout(on ? timeouts.idleMs : 0);
  if (!req.complete) {
    idle(true);
    req.once('end', () => idle(false));
  }
  try {
    const response = await handler(toHttpRequest(req));
    if (!req.complete) res.setHeader('Connection', 'close');
    res.writeHead(response.status, response.headers as Record<string, string | number>);
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
      logger.debug({ method: req.method, url: req.url }, 'client closed the connection');
    } else {
      logger.warn({ err: error, method: req.method, url: req.url }, 'response aborted');
    }
    if (!res.headersSent && !res.destroyed) {
      res.writeHead(500, { 'Content-Type': 'application/json', Connection: 'close' });
      res.end('{"errors":[{"code":"UNKNOWN","message":"internal server error"}]}');
    } else {
      res.destroy();
    }
  } finally {
    if (!req.complete) req.socket?.destroySoon?.();
    if (logger.isLevelEnabled('debug')) {
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      logger.debug({ method: req.method, url: req.url, status: res.statusCode, ms }, 'request');
    }
  }
}

/** A pipeline that failed because the client's socket closed, not because our body stream failed. */
function clientWentAway(error: unknown, req: IncomingMessage, res: ServerResponse): boolean {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  const closedByPeer = code === 'ERR_STREAM_PREMATURE_CLOSE' || code === 'ECONNRESET' || code === 'EPIPE';
  return closedByPeer && (res.destroyed || req.socket.destroyed);
}
