import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';

/** The `docker-registry` binary on PATH (Debian's distribution 2.8.2), or undefined. */
export function dockerRegistryBinary(): string | undefined {
  for (const dir of (process.env['PATH'] ?? '').split(delimiter)) {
    if (!dir) continue;
    try {
      accessSync(join(dir, 'docker-registry'), constants.X_OK);
      return join(dir, 'docker-registry');
    } catch {
      // not in this directory
    }
  }
  return undefined;
}

/**
 * `describe` when docker-registry is installed. Without it: in CI (`CI=true`) the suite fails, so a
 * broken CI image can never turn green; elsewhere it is skipped with a loud warning.
 */
export function describeWithUpstreamRegistry(title: string, fn: () => void): void {
  if (dockerRegistryBinary() !== undefined) return describe(title, fn);
  if (process.env['CI'] === 'true') throw new Error('docker-registry is not on PATH: CI must provide it (see .ci/run)');
  const bar = '!'.repeat(78);
  console.warn(`${bar}\n!! SKIPPING ${title}: docker-registry is not on PATH. These tests did NOT run. (In CI this fails.)\n${bar}`);
  describe.skip(title, fn);
}
