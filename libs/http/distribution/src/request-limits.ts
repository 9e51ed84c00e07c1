import type { HttpRequest } from '@cargohold/lambda-kit';
import { RegistryError } from '@cargohold/oci';
import { parseContentLength, parseContentRange } from './http-headers';

/**
 * A per-request body cap, as Lambda imposes (6 MB event payload) and `--max-request-bytes` reproduces.
 * Large blobs still get in: chunked uploads advertise `OCI-Chunk-Min-Length` and each PATCH stays under
 * the cap. Larger single-request pushes need the long-lived server (`cargohold serve --backend aws`).
 */
export interface RequestLimits {
  /** Largest request body accepted, in bytes; larger ones answer 413 SIZE_INVALID and change nothing. */
  readonly maxRequestBytes: number;
  /** Advertised on upload responses as `OCI-Chunk-Min-Length` (S3 multipart parts are at least 5 MiB). */
  readonly chunkMinLength: number;
}

export class RequestTooLargeError extends RegistryError {
  constructor(limit: number) {
    super('SIZE_INVALID', `request body exceeds ${limit} bytes; upload in smaller chunks (PATCH with Content-Range)`, {
      status: 413,
      detail: { maxRequestBytes: limit },
    });
  }
}

async function* capped(body: AsyncIterable<Uint8Array>, limit: number): AsyncIterable<Uint8Array> {
  let total = 0;
  for await (const chunk of body) {
    total += chunk.byteLength;
    // Thrown into the consumer mid-stream: storage rolls the staged upload back to where it was.
    if (total > limit) throw new RequestTooLargeError(limit);
    yield chunk;
  }
}

/**
 * Rejects a request whose declared length (Content-Length or Content-Range) is over the cap before any
 * byte is read, and caps the body of the rest, so an undeclared (chunked) oversize body fails the same way.
 */
export function limitRequestBody(request: HttpRequest, limits: RequestLimits): HttpRequest {
  const { maxRequestBytes } = limits;
  const length = parseContentLength(request.headers['content-length']);
  if (length !== undefined && length > maxRequestBytes) throw new RequestTooLargeError(maxRequestBytes);
  const range = parseContentRange(request.headers['content-range']);
  if (range && range.end - range.start + 1 > maxRequestBytes) throw new RequestTooLargeError(maxRequestBytes);
  // Not a spread of the request: a transport may keep `query` on a prototype (parsed on first use), and a
  // spread copies own properties only.
  const limited: { -readonly [K in keyof HttpRequest]: HttpRequest[K] } = {
    method: request.method,
    path: request.path,
    get query() {
      return request.query;
    },
    headers: request.headers,
    body: capped(request.body, maxRequestBytes),
  };
  if (request.sourceIp !== undefined) limited.sourceIp = request.sourceIp;
  if (request.observed !== undefined) limited.observed = request.observed;
  return limited;
}
