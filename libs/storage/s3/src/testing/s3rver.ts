import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { S3Client } from '@aws-sdk/client-s3';
import { makeObjectWritesAtomic, type S3rverStore } from './s3rver-atomic-puts';

/** What a spec needs from a running s3rver. */
export interface S3rverHandle {
  /** e.g. `http://127.0.0.1:41234` */
  readonly endpoint: string;
  /** The bucket created at startup. */
  readonly bucket: string;
  /** A client configured for this server (path-style, its fixed credentials, no flexible checksums). */
  client(): S3Client;
  /** Stops the server and deletes its data directory (unless the caller chose the directory). */
  stop(): Promise<void>;
}

export interface S3rverOptions {
  /** Keep the data here (created if missing, never deleted): state survives a restart. Default: a temporary directory. */
  readonly directory?: string;
  /** Default: an ephemeral port. */
  readonly port?: number;
}

interface S3rverServer {
  readonly store: S3rverStore;
  run(): Promise<{ port: number }>;
  close(): Promise<void>;
}
type S3rverConstructor = new (options: Record<string, unknown>) => S3rverServer;

/**
 * Starts s3rver (an S3 emulator, a dev dependency) on 127.0.0.1 with an ephemeral port and a temporary
 * directory, with one bucket. For specs only: call it in `beforeAll` and `stop()` it in `afterAll`.
 *
 * s3rver speaks only the classic protocol, so clients must not send flexible checksums (the SDK default
 * since 3.729): `requestChecksumCalculation`/`responseChecksumValidation` are `WHEN_REQUIRED`. It lacks
 * UploadPartCopy, AbortMultipartUpload, ListParts/ListMultipartUploads, conditional writes (If-Match /
 * If-None-Match on PUT are ignored) and the 5 MiB minimum part size. Its object writes are made atomic,
 * as S3's are (s3rver-atomic-puts.ts).
 */
export async function startS3rver(bucket = 'cargohold-test', options: S3rverOptions = {}): Promise<S3rverHandle> {
  const owned = options.directory === undefined;
  const directory = options.directory ?? (await mkdtemp(join(tmpdir(), 'cargohold-s3rver-')));
  if (!owned) await mkdir(directory, { recursive: true });
  // Loaded on demand through a non-literal specifier: s3rver ships no types, and production code that
  // imports this library must never load (or bundle) it.
  const specifier = 's3rver';
  const loaded = (await import(specifier)) as { default?: S3rverConstructor } & S3rverConstructor;
  const S3rver = loaded.default ?? loaded;
  const server = new S3rver({
    address: '127.0.0.1',
    port: options.port ?? 0,
    silent: true,
    directory,
    configureBuckets: [{ name: bucket, configs: [] }],
  });
  makeObjectWritesAtomic(server.store);
  const { port } = await server.run();
  const endpoint = `http://127.0.0.1:${port}`;
  const clients: S3Client[] = [];
  return {
    endpoint,
    bucket,
    client() {
      const client = new S3Client({
        endpoint,
        forcePathStyle: true,
        region: 'us-east-1',
        credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
        requestChecksumCalculation: 'WHEN_REQUIRED',
        responseChecksumValidation: 'WHEN_REQUIRED',
      });
      clients.push(client);
      return client;
    },
    async stop() {
      for (const client of clients) client.destroy();
      await server.close();
      if (owned) await Promise.all([directory, `${directory}.staging`].map((path) => rm(path, { recursive: true, force: true })));
    },
  };
}
