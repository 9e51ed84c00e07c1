import type { Server } from 'node:http';
import type { Socket } from 'node:net';
import type { Logger } from 'pino';
import type { ConfigFile } from './config';

export interface ConnectionSettings {
  readonly headersTimeoutMs: number;
  readonly idleTimeoutMs: number;
  readonly keepAliveTimeoutMs: number;
  readonly maxConnections: number;
}

/** Defaults: headers within 30 s, no silence over 60 s while bytes are owed, 65 s keep-alive, 512 connections. */
export function connectionSettings(config: ConfigFile): ConnectionSettings {
  const server = config.server ?? {};
  return {
    headersTimeoutMs: (server.headersTimeoutSeconds ?? 30) * 1000,
    idleTimeoutMs: (server.idleTimeoutSeconds ?? 60) * 1000,
    keepAliveTimeoutMs: (server.keepAliveTimeoutSeconds ?? 65) * 1000,
    // Under the common 1024 file-descriptor limit, with room for blob files and the database.
    maxConnections: server.maxConnections ?? 512,
  };
}

const UNAVAILABLE = Buffer.from('{"errors":[{"code":"UNAVAILABLE","message":"too many connections: retry shortly"}]}');
const REFUSAL = Buffer.concat([
  Buffer.from(
    `HTTP/1.1 503 Service Unavailable\r\nContent-Type: application/json\r\nContent-Length: ${UNAVAILABLE.length}\r\nRetry-After: 1\r\nConnection: close\r\n\r\n`,
  ),
  UNAVAILABLE,
]);

/**
 * Connections beyond `max` get a clean 503 (with Retry-After) and are closed, instead of Node's silent
 * drop or file-descriptor exhaustion failing everyone's requests. Runs before node:http sees the socket.
 */
export function refuseBeyond(server: Server, max: number, logger: Logger): void {
  let open = 0;
  let refusing = false;
  server.prependListener('connection', (socket: Socket) => {
    if (open >= max) {
      if (!refusing) logger.warn({ maxConnections: max }, 'refusing connections: too many open');
      refusing = true;
      socket.end(REFUSAL);
      socket.destroySoon();
      return;
    }
    refusing = false;
    open++;
    socket.once('close', () => open--);
  });
}
