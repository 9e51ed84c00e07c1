import { randomUUID } from 'node:crypto';
import { newEvent } from '@cargohold/events';
import type { Digest } from '@cargohold/oci';
import type { RegistryScanningConfiguration, RegistrySettingsStore, RepoRef, Repository, ScanRecord, ScanStore, ScanSummary } from '@cargohold/storage-ports';
import type { Clock } from './config';
import { LimitExceededError } from './ecr-errors';
import type { RepositoryResolver } from './repositories';
import { matchesTagFilter } from './tag-mutability';

export const DEFAULT_SCANNING_CONFIGURATION: RegistryScanningConfiguration = { scanType: 'BASIC', rules: [] };
const MANUAL_SCAN_INTERVAL_MS = 24 * 60 * 60 * 1000;

export interface RepositoryScanning {
  readonly scanOnPush: boolean;
  readonly scanFrequency: 'SCAN_ON_PUSH' | 'CONTINUOUS_SCAN' | 'MANUAL';
  readonly appliedScanFilters: readonly { filter: string; filterType: 'WILDCARD' }[];
}

/** Scanning configuration, manual scans and scan results, with ECR's rules. */
export class ScanService {
  constructor(
    private readonly repositories: RepositoryResolver,
    private readonly registries: RegistrySettingsStore,
    private readonly scans: ScanStore,
    private readonly clock: Clock,
  ) {}

  async registryConfiguration(registry: string): Promise<RegistryScanningConfiguration> {
    return (await this.registries.get(registry)).scanningConfiguration ?? DEFAULT_SCANNING_CONFIGURATION;
  }

  async putRegistryConfiguration(registry: string, configuration: RegistryScanningConfiguration): Promise<RegistryScanningConfiguration> {
    await this.registries.update(registry, (current) => ({ ...current, scanningConfiguration: configuration }));
    return configuration;
  }

  /** The effective configuration of a repository: its own scanOnPush, or a matching registry rule. */
  async repositoryConfiguration(repository: Repository): Promise<RepositoryScanning> {
    const { rules } = await this.registryConfiguration(repository.registry);
    const rule = rules.find((r) => r.repositoryFilters.some((f) => matchesTagFilter(f.filter, repository.name)));
    if (rule) {
      return { scanOnPush: rule.scanFrequency !== 'MANUAL', scanFrequency: rule.scanFrequency, appliedScanFilters: [...rule.repositoryFilters] };
    }
    const scanOnPush = repository.settings.scanOnPush;
    return { scanOnPush, scanFrequency: scanOnPush ? 'SCAN_ON_PUSH' : 'MANUAL', appliedScanFilters: [] };
  }

  /** StartImageScan: at most one scan per image per 24 hours (LimitExceededException). */
  async startManual(repo: RepoRef, digest: Digest): Promise<void> {
    await this.repositories.require(repo);
    const now = this.clock.now();
    const last = await this.scans.get(repo, digest);
    if (last && now.getTime() - last.startedAt.getTime() < MANUAL_SCAN_INTERVAL_MS) {
      throw new LimitExceededError('The scan quota per image has been exceeded. Wait and try again.');
    }
    const requested = newEvent('image.scan-requested', { registry: repo.registry, repository: repo.name, digest, reason: 'manual' }, now, randomUUID());
    // The scan and its request are one write: the worker hears of every scan that was recorded.
    await this.scans.start(repo, digest, now, now, [requested]);
  }

  async result(repo: RepoRef, digest: Digest): Promise<ScanRecord | undefined> {
    return this.scans.get(repo, digest);
  }

  /** The scan status of several images at once (a DescribeImages page), without findings. */
  async summaries(repo: RepoRef, digests: readonly Digest[]): Promise<Map<Digest, ScanSummary>> {
    return digests.length === 0 ? new Map() : this.scans.summaries(repo, digests);
  }
}
