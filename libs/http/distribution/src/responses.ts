import type { HttpResponse } from '@cargohold/lambda-kit';
import { ociErrorBody, RegistryError } from '@cargohold/oci';

export const API_VERSION_HEADER = { 'Docker-Distribution-API-Version': 'registry/2.0' } as const;

export function json(status: number, value: unknown, headers: Record<string, string | number> = {}): HttpResponse {
  const body = Buffer.from(JSON.stringify(value));
  return {
    status,
    headers: { ...API_VERSION_HEADER, 'Content-Type': 'application/json', 'Content-Length': body.length, ...headers },
    body,
  };
}

export function empty(status: number, headers: Record<string, string | number> = {}): HttpResponse {
  return { status, headers: { ...API_VERSION_HEADER, 'Content-Length': 0, ...headers } };
}

/** The one serializer from domain errors to OCI error JSON; anything unexpected is a bare 500. */
export function errorResponse(error: unknown): { response: HttpResponse; expected: boolean } {
  if (error instanceof RegistryError) {
    return { response: json(error.status, ociErrorBody([error]), error.headers), expected: true };
  }
  const internal = { errors: [{ code: 'UNKNOWN', message: 'internal server error' }] };
  return { response: json(500, internal), expected: false };
}

/** HEAD answers carry the headers of the GET but never a body. */
export function withoutBody(response: HttpResponse): HttpResponse {
  const { body: _body, ...rest } = response;
  return rest;
}
