import { randomUUID } from 'node:crypto';
import { newEvent, type RegistryEvent } from '@cargohold/events';
import { parseManifest } from '@cargohold/manifests';
import type { Digest } from '@cargohold/oci';
import type { BlobStore, ManifestRecord, ManifestStore, RepoRef, RepositoryStore, ScanFinding, ScanStore } from '@cargohold/storage-ports';
import type { Clock } from './config';
import type { EventConsumer } from './event-dispatcher';
import type { ScanService } from './scans';
import { VerifiedBlobStore } from './verified-blob-store';

export interface LayerSource {
  readonly digest: Digest;
  readonly mediaType: string;
  open(): Promise<AsyncIterable<Uint8Array>>;
}

export type ImageScanResult =
  | { status: 'COMPLETE'; findings: readonly ScanFinding[]; severityCounts: Readonly<Record<string, number>> }
  | { status: 'FAILED' | 'UNSUPPORTED_IMAGE'; reason: string };

/** The scanning engine: inventories layers and matches vulnerabilities. Never throws for bad input. */
export interface ImageScanner {
  scan(layers: readonly LayerSource[]): Promise<ImageScanResult>;
  vulnerabilitySourceUpdatedAt(): Promise<Date | undefined>;
}

export interface ScanWorkerDeps {
  readonly repositories: RepositoryStore;
  readonly manifests: ManifestStore;
  readonly blobs: BlobStore;
  readonly scans: ScanStore;
  readonly scanning: ScanService;
  readonly scanner: ImageScanner;
  readonly clock: Clock;
}

/**
 * Scan on push and on request, driven by events. Idempotent: a duplicate event finds the scan already
 * recorded after the event happened and does nothing; an event redelivered after a crash finds the scan
 * still IN_PROGRESS and runs it again. Multi-arch indexes scan each platform's image.
 */
export class ScanWorker implements EventConsumer {
  readonly name = 'scanner';

  private readonly blobs: BlobStore;

  constructor(private readonly deps: ScanWorkerDeps) {
    // A layer read that turns out corrupt fails the scan (and quarantines the layer) instead of scanning bad bytes.
    this.blobs = new VerifiedBlobStore(deps.blobs);
  }

  async handle(event: RegistryEvent): Promise<void> {
    if (event.type !== 'image.pushed' && event.type !== 'image.scan-requested') return;
    const repo: RepoRef = { registry: event.registry, name: event.repository };
    const repository = await this.deps.repositories.get(repo);
    const record = repository && (await this.deps.manifests.get(repo, event.digest as Digest));
    if (!repository || !record) return; // deleted since: nothing to scan
    if (event.type === 'image.pushed' && !(await this.deps.scanning.repositoryConfiguration(repository)).scanOnPush) return;
    const notBefore = new Date(event.occurredAt);
    for (const image of await this.imagesOf(repo, record)) await this.scanOne(repo, image, notBefore);
  }

  private async imagesOf(repo: RepoRef, record: ManifestRecord): Promise<ManifestRecord[]> {
    if (record.children.length === 0) return [record];
    const children: ManifestRecord[] = [];
    for (const digest of record.children) {
      const child = await this.deps.manifests.get(repo, digest);
      if (child) children.push(child);
    }
    return children;
  }

  private async scanOne(repo: RepoRef, record: ManifestRecord, notBefore: Date): Promise<void> {
    const { scans, clock } = this.deps;
    if (!(await scans.start(repo, record.digest, clock.now(), notBefore))) return;
    const result = await this.scan(record);
    const completedAt = clock.now();
    const updatedAt = await this.deps.scanner.vulnerabilitySourceUpdatedAt();
    const startedAt = (await scans.get(repo, record.digest))?.startedAt ?? completedAt;
    const tags = await this.deps.manifests.tagsOf(repo, record.digest);
    const severityCounts = result.status === 'COMPLETE' ? { ...result.severityCounts } : {};
    const scanned = newEvent(
      'image.scanned',
      { registry: repo.registry, repository: repo.name, digest: record.digest, status: result.status, tags, severityCounts },
      completedAt,
      randomUUID(),
    );
    // The result and its event are one write (ScanStore's contract): no result goes unannounced.
    const events = [scanned];
    if (result.status === 'COMPLETE') {
      await scans.finish(
        repo,
        record.digest,
        {
          status: 'COMPLETE',
          description: 'The scan was completed successfully.',
          startedAt,
          completedAt,
          ...(updatedAt ? { vulnerabilitySourceUpdatedAt: updatedAt } : {}),
          findings: result.findings,
          severityCounts: result.severityCounts,
        },
        events,
      );
    } else {
      const failed = { status: result.status, description: result.reason, startedAt, completedAt, findings: [], severityCounts: {} };
      await scans.finish(repo, record.digest, failed, events);
    }
  }

  /**
   * Runs the scanner, turning an infrastructure failure (a missing layer, a storage error) into a FAILED
   * result with its reason: a scan never stays IN_PROGRESS because its worker threw.
   */
  private async scan(record: ManifestRecord): Promise<ImageScanResult> {
    try {
      return await this.deps.scanner.scan(await this.layersOf(record));
    } catch (error) {
      return { status: 'FAILED', reason: `The scan could not read the image: ${error instanceof Error ? error.message : String(error)}` };
    }
  }

  /** The image's layers in order, each opened lazily as a stream from the blob store. */
  private async layersOf(record: ManifestRecord): Promise<LayerSource[]> {
    const opened = await this.blobs.open(record.digest);
    if (!opened.found) return [];
    const chunks: Buffer[] = [];
    for await (const chunk of opened.body) chunks.push(chunk as Buffer);
    const manifest = parseManifest(Buffer.concat(chunks), record.mediaType);
    if (manifest.kind !== 'image') return [];
    return manifest.layers.map((layer) => ({
      digest: layer.digest,
      mediaType: layer.mediaType,
      open: async () => {
        const blob = await this.blobs.open(layer.digest);
        if (!blob.found) throw new Error(`layer ${layer.digest} is missing from the blob store`);
        return blob.body;
      },
    }));
  }
}
