import type { ImageScanner, ImageScanResult, LayerSource } from '@cargohold/registry-core';
import { parseOsvRecord, scanImage, type OsvRecord, type ScanLimits, type VulnerabilityIndex } from '@cargohold/scanning';
import type { VulnerabilityStore } from '@cargohold/storage-ports';

/** The vulnerability store as the scanning engine reads it: OSV records by (ecosystem, package). */
export function storeIndex(store: VulnerabilityStore): VulnerabilityIndex {
  return {
    async candidates(ecosystem, name) {
      const records: OsvRecord[] = [];
      for (const raw of await store.candidates(ecosystem, name)) {
        const parsed = parseOsvRecord(raw);
        if (parsed.ok) records.push(parsed.record);
      }
      return records;
    },
  };
}

/** The core's ImageScanner port over the scanning engine and the stored vulnerability database. */
export function createImageScanner(vulnerabilities: VulnerabilityStore, limits: Partial<ScanLimits> = {}): ImageScanner {
  const index = storeIndex(vulnerabilities);
  return {
    vulnerabilitySourceUpdatedAt: () => vulnerabilities.updatedAt(),
    async scan(layers: readonly LayerSource[]): Promise<ImageScanResult> {
      const result = await scanImage({ layers, vulnerabilities: index, limits });
      if (result.status !== 'COMPLETE') return { status: result.status, reason: result.reason };
      const severityCounts: Record<string, number> = {};
      for (const [severity, count] of Object.entries(result.findingSeverityCounts)) if (count) severityCounts[severity] = count;
      return { status: 'COMPLETE', findings: result.findings, severityCounts };
    },
  };
}
