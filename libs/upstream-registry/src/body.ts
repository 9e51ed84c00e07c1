import type { IncomingMessage } from 'node:http';
import { asUpstreamError } from './transport';
import { UpstreamTooLargeError } from './errors';

/** Reads a whole (small) body, refusing it as soon as it is known or seen to exceed `limit` bytes. */
export async function readCapped(response: IncomingMessage, limit: number, url: URL): Promise<Buffer> {
  const announced = Number(response.headers['content-length'] ?? Number.NaN);
  if (announced > limit) {
    response.destroy();
    throw new UpstreamTooLargeError(`${url.host} announced ${announced} bytes, more than the ${limit} allowed`);
  }
  const chunks: Buffer[] = [];
  let total = 0;
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
  }
  return Buffer.concat(chunks);
}

/** Discards a body we do not need (an error page, a redirect) so the socket can be reused. */
export function discard(response: IncomingMessage): void {
  response.on('error', () => undefined);
  response.resume();
}
