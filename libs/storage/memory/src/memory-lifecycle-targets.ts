import type { LifecycleTargets, RepoRef } from '@cargohold/storage-ports';
import type { MemoryMetadataState } from './memory-state';

export class MemoryLifecycleTargets implements LifecycleTargets {
  constructor(private readonly state: MemoryMetadataState) {}

  async *list(): AsyncIterable<RepoRef> {
    // A snapshot: the sweep may change settings (lastEvaluatedAt) while it iterates.
    const repositories = [...this.state.repositories.values()];
    for (const { registry, name, settings } of repositories) if (settings.lifecyclePolicyText !== undefined) yield { registry, name };
  }
}
