import type { RegistryEvent } from '@cargohold/events';
import type { Digest, RepoRef } from './refs';

export type ScanStatus = 'IN_PROGRESS' | 'COMPLETE' | 'FAILED' | 'UNSUPPORTED_IMAGE';

/** One finding, in the shape ECR's DescribeImageScanFindings reports it. */
export interface ScanFinding {
  readonly name: string;
  readonly description?: string;
  readonly uri?: string;
  readonly severity: 'CRITICAL' | 'HIGH' | 'MEDIUM' | 'LOW' | 'INFORMATIONAL' | 'UNDEFINED' | 'UNTRIAGED';
  readonly attributes: readonly { readonly key: string; readonly value: string }[];
}

export interface ScanRecord {
  readonly status: ScanStatus;
  /** Why a scan FAILED or is UNSUPPORTED_IMAGE; a short human description otherwise. */
  readonly description?: string;
  readonly startedAt: Date;
  readonly completedAt?: Date;
  readonly vulnerabilitySourceUpdatedAt?: Date;
  readonly findings: readonly ScanFinding[];
  readonly severityCounts: Readonly<Record<string, number>>;
}

/**
 * Scan state and results per image (repository + manifest digest).
 *
 * Contract: `start` records IN_PROGRESS, and answers true, when there is no scan yet, the last one is
 * still IN_PROGRESS (its worker died: events are leased, so no other worker holds it), or the last
 * one started before `notBefore`; otherwise it changes nothing and answers false (a duplicate event). `finish` replaces the
 * record with a terminal one (COMPLETE, FAILED, UNSUPPORTED_IMAGE); findings are kept in the order given.
 * Deleting a repository or image may leave scan records behind; readers ignore records of absent images.
 *
 * Events (`image.scan-requested`, `image.scanned`) are written with the change, never after it: `start`
 * and `finish` record their `events` in the same atomic step as the record (`start` only when it
 * started a scan), so a crash between the write and the publication cannot lose one. Where they go is
 * the adapter's: the transactional outbox it shares with the manifests (SQLite, memory), or the scan
 * item itself, whose change feed the stream forwarder publishes (DynamoDB, see table-design.ts).
 */
/** A scan without its findings: what a listing shows of it (DescribeImages' status and counts). */
export type ScanSummary = Omit<ScanRecord, 'findings'>;

export interface ScanStore {
  get(repo: RepoRef, digest: Digest): Promise<ScanRecord | undefined>;
  /** The scans of several images of a repository, without findings, in one read where the adapter can; absent images are left out. */
  summaries(repo: RepoRef, digests: readonly Digest[]): Promise<Map<Digest, ScanSummary>>;
  start(repo: RepoRef, digest: Digest, at: Date, notBefore: Date, events?: readonly RegistryEvent[]): Promise<boolean>;
  finish(repo: RepoRef, digest: Digest, record: ScanRecord, events?: readonly RegistryEvent[]): Promise<void>;
}

/** A vulnerability record in the OSV schema (https://ossf.github.io/osv-schema/), stored as given. */
export interface StoredVulnerability {
  readonly id: string;
  readonly modified: string;
  /** `(ecosystem, package name)` pairs the record affects, for lookup. */
  readonly packages: readonly { readonly ecosystem: string; readonly name: string }[];
  readonly record: unknown;
}

/**
 * The vulnerability database: OSV records indexed by affected (ecosystem, package).
 *
 * Contract: `upsert` replaces a record with the same id when its `modified` is not older; `candidates`
 * returns every stored record naming that exact ecosystem and package; `updatedAt` is the time of the
 * last import (undefined when empty).
 */
export interface VulnerabilityStore {
  upsert(records: readonly StoredVulnerability[], at: Date): Promise<number>;
  candidates(ecosystem: string, name: string): Promise<unknown[]>;
  updatedAt(): Promise<Date | undefined>;
}

/**
 * The ordering VulnerabilityStore.upsert uses for `modified`: an RFC 3339 instant, compared as instants
 * (the text may differ in offset and in fraction digits: `…:00Z` is older than `…:00.5Z`). Text that
 * does not parse compares as text.
 */
export function isOlderModification(modified: string, than: string): boolean {
  const a = Date.parse(modified);
  const b = Date.parse(than);
  return Number.isNaN(a) || Number.isNaN(b) ? modified < than : a < b;
}
