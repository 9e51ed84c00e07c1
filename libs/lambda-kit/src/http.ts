import type { Readable } from 'node:stream';

/**
 * The transport-neutral HTTP exchange every API app speaks. The embedded server adapts node:http to it;
 * the Lambda stacks adapt API Gateway HTTP API (payload 2.0) events to it. Apps never see either.
 */
export interface HttpRequest {
  readonly method: string;
  /** The raw, undecoded path exactly as sent (no dot-segment normalization, no percent-decoding). */
  readonly path: string;
  readonly query: URLSearchParams;
  /** Lower-cased header names; repeated headers joined with ", ". */
  readonly headers: Readonly<Record<string, string | undefined>>;
  /** The request body as a stream of chunks; may be consumed at most once. */
  readonly body: AsyncIterable<Uint8Array>;
  readonly sourceIp?: string;
  /** Filled in by the handler as it learns who asked for what; the transport logs and counts it. */
  readonly observed?: RequestObservation;
}

/**
 * One request as the request log and the metrics see it. The transport creates it with the request id;
 * the API handler records what it learned (never a credential, token or secret).
 */
export interface RequestObservation {
  /** Returned as `x-amzn-RequestId` on every response, and the key of the request's log line. */
  readonly requestId: string;
  /** The ECR API action (`DescribeImages`), or the IAM action a `/v2/` request was authorized as (`ecr:BatchGetImage`). */
  action?: string;
  /** `<account>:<region>`. */
  registry?: string;
  repository?: string;
  /** The caller's ARN once authenticated. */
  principal?: string;
  /** Why access was denied, for the debug-level log (the policy reason, never the credentials). */
  denied?: string;
}

export type HttpBody = string | Uint8Array | Readable;

export interface HttpResponse {
  readonly status: number;
  readonly headers: Readonly<Record<string, string | number>>;
  readonly body?: HttpBody;
}

export type HttpHandler = (request: HttpRequest) => Promise<HttpResponse>;

/** Reads a body into memory, refusing more than `limit` bytes (callers map the overflow to their error). */
export async function readBody(body: AsyncIterable<Uint8Array>, limit: number): Promise<{ ok: true; bytes: Buffer } | { ok: false }> {
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of body) {
    total += chunk.length;
    if (total > limit) return { ok: false };
    chunks.push(Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength));
  }
  return { ok: true, bytes: Buffer.concat(chunks, total) };
}

/** A body already in memory, as the stream HttpRequest carries (an empty one yields nothing). */
export async function* bytesBody(bytes: Uint8Array): AsyncIterable<Uint8Array> {
  if (bytes.length > 0) yield bytes;
}
