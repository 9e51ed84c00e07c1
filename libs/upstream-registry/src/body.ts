import type { IncomingMessage } from 'node:http';
import { asUpstreamError } from './transport';
import { UpstreamTooLargeError, UpstreamUnavailableError } from './errors';

/**
 * Reads a whole (small) body, refusing it as soon as it is known or seen to exceed `limit` bytes, and
 * giving up when it takes longer than `deadlineMs` in all: the idle timeout alone would let an upstream
 * that drips a byte now and then hold a pull (and a Lambda's time budget) for ever.
 */
export async function readCapped(response: IncomingMessage, limit: number, url: URL, deadlineMs: number): Promise<Buffer> {
  const announced = Number(response.headers['content-length'] ?? Number.NaN);
  if (announced > limit) {
    response.destroy();
    throw new UpstreamTooLargeError(`${url.host} announced ${announced} bytes, more than the ${limit} allowed`);
  }
  const chunks: Buffer[] = [];
  let total = 0;
  const deadline = setTimeout(() => response.destroy(new UpstreamUnavailableError(`${url.host} took more than ${deadlineMs} ms to send a body`)), deadlineMs);
  try {
    for await (const chunk of response as AsyncIterable<Buffer>) {
      total += chunk.length;
      if (total > limit) {
        response.destroy();
        throw new UpstreamTooLargeError(`${url.host} sent more than the ${limit} bytes allowed`);
      }
      chunks.push(chunk);
    }
  } catch (error) {
    throw asUpstreamError(url, error);
  } finally {
    clearTimeout(deadline);
  }
  return Buffer.concat(chunks);
}

/** Discards a body we do not need (an error page, a redirect) so the socket can be reused. */
export function discard(response: IncomingMessage): void {
  response.on('error', () => undefined);
  response.resume();
}
