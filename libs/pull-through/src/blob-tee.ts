import type { Writable } from 'node:stream';

/**
 * Yields `source`'s chunks, first copying each to `client` (waiting for it to drain), so a puller gets
 * the bytes while they are being stored. A client that goes away stops receiving; storing goes on, so
 * the blob is cached either way. The store verifies the digest at the end: the caller then ends the
 * client's stream, or destroys it with the error so a bad body never looks complete.
 */
export async function* teeTo(source: AsyncIterable<Uint8Array>, client: Writable): AsyncGenerator<Uint8Array> {
  for await (const chunk of source) {
    if (!client.destroyed && !client.write(chunk)) await drained(client);
    yield chunk;
  }
}

function drained(stream: Writable): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      stream.off('drain', done);
      stream.off('close', done);
      resolve();
    };
    stream.on('drain', done);
    stream.on('close', done);
  });
}
