import { Readable } from 'node:stream';
import { UpstreamError, type UpstreamConnector, type UpstreamFailure, type UpstreamSource } from '@cargohold/storage-ports';
import {
  createUpstreamClient,
  UpstreamDigestMismatchError,
  UpstreamNotFoundError,
  UpstreamRefusedError,
  UpstreamTooLargeError,
  UpstreamUnauthorizedError,
  type UpstreamClientOptions,
} from '@cargohold/upstream-registry';

/** The client's errors as the cache-syncer's port names them; anything else counts as the upstream being unavailable. */
function kindOf(error: unknown): UpstreamFailure {
  if (error instanceof UpstreamNotFoundError) return 'not-found';
  if (error instanceof UpstreamUnauthorizedError) return 'unauthorized';
  if (error instanceof UpstreamRefusedError) return 'refused';
  if (error instanceof UpstreamDigestMismatchError) return 'digest-mismatch';
  if (error instanceof UpstreamTooLargeError) return 'too-large';
  return 'unavailable';
}

const translate = (error: unknown): UpstreamError =>
  error instanceof UpstreamError ? error : new UpstreamError(kindOf(error), error instanceof Error ? error.message : String(error), { cause: error });

async function translated<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    throw translate(error);
  }
}

async function* translatedBody(body: AsyncIterable<Uint8Array>): AsyncGenerator<Uint8Array> {
  try {
    yield* body;
  } catch (error) {
    throw translate(error);
  }
}

/** @cargohold/upstream-registry behind the cache-syncer's UpstreamSource port: the same in both runtimes. */
export function upstreamConnector(options: UpstreamClientOptions = {}): UpstreamConnector {
  return (target) => {
    const client = createUpstreamClient(target, options);
    const source: UpstreamSource = {
      getManifest: (repository, reference, accept) => translated(() => client.getManifest(repository, reference, accept)),
      headManifest: (repository, reference, accept) => translated(() => client.headManifest(repository, reference, accept)),
      openBlob: (repository, digest) =>
        translated(async () => {
          const blob = await client.openBlob(repository, digest);
          return { size: blob.size, body: Readable.from(translatedBody(blob.body), { objectMode: false }) };
        }),
      check: () =>
        translated(async () => {
          // The rule admin must tell the SSRF guard's refusal from an upstream that is merely down.
          const { refused, ...result } = await client.check();
          if (refused) throw new UpstreamError('refused', result.failure ?? 'the address guard refused the upstream');
          return result;
        }),
    };
    return source;
  };
}
