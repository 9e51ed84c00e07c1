import { essenceOf, isManifestMediaType, MediaTypes, SCHEMA1_MEDIA_TYPES } from '@cargohold/oci';
import type * as z from 'zod';
import { ManifestInvalidError, ManifestTooLargeError } from './errors';
import { formatPath, JsonScanError, scanJson } from './json-scan';
import { imageManifestSchema, indexSchema, manifestListSchema } from './schemas';
import { MAX_MANIFEST_BYTES, MAX_MANIFEST_DEPTH, type ParsedManifest } from './types';

/**
 * Parses and validates a manifest from the exact bytes a client pushed, given the request's Content-Type.
 *
 * The bytes are what gets hashed and stored, so everything is decided from them: they must be UTF-8 JSON
 * with no duplicate keys (two parsers must never read two different manifests from one digest), a
 * schemaVersion 2 OCI/Docker image manifest or index, and a media type that the body and the
 * Content-Type agree on. Throws ManifestTooLargeError (413) or ManifestInvalidError (400); never returns
 * a half-validated document.
 */
export function parseManifest(bytes: Uint8Array, contentType: string | undefined): ParsedManifest {
  if (bytes.length > MAX_MANIFEST_BYTES) throw new ManifestTooLargeError(bytes.length, MAX_MANIFEST_BYTES);

  const document = decodeDocument(bytes);
  rejectSchema1(document, contentType);
  if (document['schemaVersion'] !== 2) {
    throw invalid(`schemaVersion must be 2, got ${JSON.stringify(document['schemaVersion']) ?? 'nothing'}`);
  }
  if ('manifests' in document && ('config' in document || 'layers' in document)) {
    throw invalid('ambiguous document: it has "manifests" like an index and "config"/"layers" like an image manifest');
  }

  const mediaType = resolveMediaType(document, contentType);
  switch (mediaType) {
    case MediaTypes.ociManifest:
    case MediaTypes.dockerManifest: {
      const { schemaVersion: _schemaVersion, ...image } = shape(imageManifestSchema, document, mediaType);
      return { kind: 'image', mediaType, ...image };
    }
    case MediaTypes.ociIndex:
    case MediaTypes.dockerManifestList: {
      const schema = mediaType === MediaTypes.ociIndex ? indexSchema : manifestListSchema;
      const { schemaVersion: _schemaVersion, ...index } = shape(schema, document, mediaType);
      return { kind: 'index', mediaType, ...index };
    }
    default:
      throw invalid(`unsupported manifest media type ${JSON.stringify(mediaType)}`);
  }
}

function decodeDocument(bytes: Uint8Array): Record<string, unknown> {
  let text: string;
  try {
    // ignoreBOM keeps a leading U+FEFF in the text, where the scanner rejects it: RFC 8259 forbids it.
    text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes);
  } catch {
    throw invalid('body is not valid UTF-8');
  }
  try {
    scanJson(text, MAX_MANIFEST_DEPTH);
  } catch (error) {
    if (error instanceof JsonScanError) throw invalid(`malformed JSON: ${error.message}`, { path: error.path });
    throw error;
  }
  const value: unknown = JSON.parse(text);
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw invalid('body must be a JSON object');
  }
  return value as Record<string, unknown>;
}

function rejectSchema1(document: Record<string, unknown>, contentType: string | undefined): void {
  const declared = typeof document['mediaType'] === 'string' ? document['mediaType'] : undefined;
  const requested = contentType === undefined ? undefined : essenceOf(contentType);
  if (
    document['schemaVersion'] === 1 ||
    (declared !== undefined && SCHEMA1_MEDIA_TYPES.includes(declared)) ||
    (requested !== undefined && SCHEMA1_MEDIA_TYPES.includes(requested))
  ) {
    throw invalid('Docker schema 1 manifests are not supported; push an OCI or Docker schema 2 manifest');
  }
}

/**
 * The body's own `mediaType` wins when present, and the Content-Type must then name the same type
 * (compared on the type/subtype only, case-insensitively). Without one, the Content-Type decides.
 */
function resolveMediaType(document: Record<string, unknown>, contentType: string | undefined): string {
  const requested = contentType === undefined || contentType.trim() === '' ? undefined : essenceOf(contentType);
  if ('mediaType' in document) {
    const declared = document['mediaType'];
    if (typeof declared !== 'string') throw invalid('mediaType must be a string', { path: 'mediaType' });
    if (!isManifestMediaType(declared)) throw invalid(`unsupported manifest media type ${JSON.stringify(declared)}`);
    if (requested !== undefined && requested !== declared.toLowerCase()) {
      throw invalid(`Content-Type ${JSON.stringify(requested)} does not match the manifest's mediaType ${JSON.stringify(declared)}`);
    }
    return declared;
  }
  if (requested === undefined) {
    throw invalid('the manifest has no mediaType and the request has no Content-Type naming one');
  }
  if (!isManifestMediaType(requested)) {
    throw invalid(`the manifest has no mediaType and Content-Type ${JSON.stringify(requested)} is not a manifest type`);
  }
  return requested;
}

function shape<S extends z.ZodType>(schema: S, document: Record<string, unknown>, mediaType: string): z.output<S> {
  const result = schema.safeParse(document);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const path = issue === undefined ? '' : formatPath(issue.path);
  const reason = issue?.message ?? 'does not match the expected shape';
  throw invalid(`${path === '' ? '' : `${path}: `}${reason} (as ${mediaType})`, { path });
}

function invalid(reason: string, detail?: { path: string }): ManifestInvalidError {
  return new ManifestInvalidError(reason, detail === undefined || detail.path === '' ? {} : { detail });
}
