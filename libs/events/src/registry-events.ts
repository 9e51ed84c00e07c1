import * as z from 'zod';

/**
 * Internal events: past tense, one per change, written with the change that causes it (outbox) and
 * delivered at least once. Every consumer is idempotent and re-reads current state, so duplicates and
 * reordering change nothing; `version` (per repository, increasing) lets a consumer notice staleness.
 */
const Common = {
  id: z.string().uuid(),
  occurredAt: z.string().datetime(),
  /** `<account>:<region>`. */
  registry: z.string().min(1),
  repository: z.string().min(1),
  digest: z.string().min(1),
  /** Assigned by the outbox when the event is recorded; 0 before that. */
  version: z.number().int().nonnegative(),
};

export const ImagePushedSchema = z.object({
  ...Common,
  type: z.literal('image.pushed'),
  mediaType: z.string(),
  tags: z.array(z.string()),
});

export const ImageDeletedSchema = z.object({
  ...Common,
  type: z.literal('image.deleted'),
  tags: z.array(z.string()),
  /** `lifecycle`: expired by the repository's lifecycle policy (ECR's action-type EXPIRE); absent: a user's delete. */
  reason: z.enum(['lifecycle']).optional(),
});

export const ScanRequestedSchema = z.object({
  ...Common,
  type: z.literal('image.scan-requested'),
  reason: z.enum(['push', 'manual']),
});

export const ImageScannedSchema = z.object({
  ...Common,
  type: z.literal('image.scanned'),
  status: z.enum(['COMPLETE', 'FAILED', 'UNSUPPORTED_IMAGE']),
  tags: z.array(z.string()),
  severityCounts: z.record(z.string(), z.number().int().nonnegative()),
});

/**
 * A pull-through cache fetch from an upstream: SUCCESS once the image is stored (after its
 * `image.pushed`), FAILED when nothing could be cached; `digest` is the reference pulled when the
 * upstream never named a digest.
 */
export const CacheSyncedSchema = z.object({
  ...Common,
  type: z.literal('cache.synced'),
  status: z.enum(['SUCCESS', 'FAILED']),
  ecrRepositoryPrefix: z.string(),
  upstreamRegistryUrl: z.string(),
  tag: z.string().optional(),
  failureCode: z.string().optional(),
  failureReason: z.string().optional(),
});

/**
 * One replication of an image into a destination registry finished: `registry` is the destination (where
 * ECR sends its Replication Action), `source` the registry the image came from (`<account>:<region>`).
 */
export const ImageReplicatedSchema = z.object({
  ...Common,
  type: z.literal('image.replicated'),
  source: z.string().min(1),
  result: z.enum(['SUCCESS', 'FAILED']),
  tags: z.array(z.string()),
});

export const RegistryEventSchema = z.discriminatedUnion('type', [
  ImagePushedSchema,
  ImageDeletedSchema,
  ScanRequestedSchema,
  ImageScannedSchema,
  CacheSyncedSchema,
  ImageReplicatedSchema,
]);

export type RegistryEvent = z.infer<typeof RegistryEventSchema>;
export type RegistryEventType = RegistryEvent['type'];
export type EventOf<T extends RegistryEventType> = Extract<RegistryEvent, { type: T }>;

/** Builds an event with a fresh id; the outbox assigns `version` when it records it. */
export function newEvent<T extends RegistryEventType>(
  type: T,
  fields: Omit<EventOf<T>, 'type' | 'id' | 'occurredAt' | 'version'>,
  at: Date,
  id: string,
): EventOf<T> {
  return { ...fields, type, id, occurredAt: at.toISOString(), version: 0 } as EventOf<T>;
}

/** Parses an event read back from storage or a queue; malformed input throws. */
export function parseRegistryEvent(value: unknown): RegistryEvent {
  return RegistryEventSchema.parse(value);
}
