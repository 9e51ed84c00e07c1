import { createHash } from 'node:crypto';
import { newEvent, type EventOf } from '@cargohold/events';
import { formatRegistryKey } from '@cargohold/oci';
import type { SQSRecord } from 'aws-lambda';
import { z } from 'zod';
import { MalformedEventError } from './errors';

/** The part of an `ECR Image Action` (as toEcrEvents writes it, EventBridge delivers it) a worker needs. */
const EcrImageActionSchema = z.object({
  'detail-type': z.literal('ECR Image Action'),
  account: z.string().regex(/^\d{12}$/),
  region: z.string().min(1),
  time: z.string().datetime(),
  id: z.string().min(1),
  detail: z.object({
    result: z.string(),
    'repository-name': z.string().min(1),
    'image-digest': z.string().min(1),
    'action-type': z.enum(['PUSH', 'DELETE']),
    'image-tag': z.string().optional(),
  }),
});

/** A name-based UUID, so a redelivered message yields the same event id. */
function uuidOf(text: string): string {
  const hex = createHash('sha256').update(text).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-5${hex.slice(13, 16)}-8${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

/**
 * An SQS message an EventBridge rule delivered (`ECR Image Action`) as the internal event it stands for:
 * PUSH → image.pushed, DELETE → image.deleted, one tag or none. Consumers re-read current state, so the
 * fields ECR's shape lacks (the media type, the other tags) are not needed.
 */
export function parseEcrImageActionRecord(record: Pick<SQSRecord, 'messageId' | 'body'>): EventOf<'image.pushed'> | EventOf<'image.deleted'> {
  let parsed: z.infer<typeof EcrImageActionSchema>;
  try {
    parsed = EcrImageActionSchema.parse(JSON.parse(record.body));
  } catch (cause) {
    throw new MalformedEventError(`SQS message ${record.messageId}: body is not an ECR Image Action event`, { cause });
  }
  const { detail } = parsed;
  const fields = {
    registry: formatRegistryKey({ account: parsed.account, region: parsed.region }),
    repository: detail['repository-name'],
    digest: detail['image-digest'],
    tags: detail['image-tag'] === undefined ? [] : [detail['image-tag']],
  };
  const at = new Date(parsed.time);
  const id = uuidOf(parsed.id);
  return detail['action-type'] === 'PUSH' ? newEvent('image.pushed', { ...fields, mediaType: '' }, at, id) : newEvent('image.deleted', fields, at, id);
}
