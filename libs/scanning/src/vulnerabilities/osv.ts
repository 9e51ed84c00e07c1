import * as z from 'zod';

/**
 * The OSV schema (https://ossf.github.io/osv-schema/), as far as matching and reporting read it. Unknown
 * fields are dropped; unknown enum values in fields the scanner does not interpret are kept as strings.
 */
const eventSchema = z.union([
  z.object({ introduced: z.string() }),
  z.object({ fixed: z.string() }),
  z.object({ last_affected: z.string() }),
  z.object({ limit: z.string() }),
]);

const rangeSchema = z.object({
  type: z.string(),
  repo: z.string().optional(),
  events: z.array(eventSchema).min(1),
  database_specific: z.record(z.string(), z.unknown()).optional(),
});

const severitySchema = z.object({ type: z.string(), score: z.string() });

const affectedSchema = z.object({
  package: z.object({ ecosystem: z.string().min(1), name: z.string().min(1), purl: z.string().optional() }),
  severity: z.array(severitySchema).optional(),
  ranges: z.array(rangeSchema).optional(),
  versions: z.array(z.string()).optional(),
  ecosystem_specific: z.record(z.string(), z.unknown()).optional(),
  database_specific: z.record(z.string(), z.unknown()).optional(),
});

export const osvRecordSchema = z.object({
  schema_version: z.string().optional(),
  id: z.string().min(1),
  modified: z.string().optional(),
  published: z.string().optional(),
  withdrawn: z.string().optional(),
  aliases: z.array(z.string()).optional(),
  related: z.array(z.string()).optional(),
  upstream: z.array(z.string()).optional(),
  summary: z.string().optional(),
  details: z.string().optional(),
  severity: z.array(severitySchema).optional(),
  affected: z.array(affectedSchema).optional(),
  references: z.array(z.object({ type: z.string(), url: z.string() })).optional(),
  database_specific: z.record(z.string(), z.unknown()).optional(),
});

export type OsvRecord = z.infer<typeof osvRecordSchema>;
export type OsvAffected = z.infer<typeof affectedSchema>;
export type OsvRange = z.infer<typeof rangeSchema>;
export type OsvEvent = z.infer<typeof eventSchema>;
export type OsvSeverity = z.infer<typeof severitySchema>;

export type ParseOsvResult = { ok: true; record: OsvRecord } | { ok: false; error: string };

/** Validates one OSV record (already JSON-decoded); an invalid record is a miss, not an exception. */
export function parseOsvRecord(json: unknown): ParseOsvResult {
  const result = osvRecordSchema.safeParse(json);
  if (result.success) return { ok: true, record: result.data };
  const issue = result.error.issues[0];
  return { ok: false, error: issue ? `${issue.path.join('.') || '(root)'}: ${issue.message}` : 'invalid OSV record' };
}
