import { ScanFailedError, ScanUnsupportedError, type ScanFailureReason } from './errors';
import { buildInventory, inventoryInterest } from './inventory/inventory';
import type { InstalledPackage, OsInfo, UnsupportedDatabase } from './inventory/types';
import { ImageView } from './layer/image-view';
import { detectCompression } from './layer/decompress';
import { readLayer } from './layer/read-layer';
import { ScanBudget, type ScanLimits } from './limits';
import { advisoryCoordinates, isAffected, packageKey } from './vulnerabilities/affected';
import { countSeverities, sortFindings, toFinding, type FindingSeverityCounts, type ScanFinding } from './vulnerabilities/findings';
import type { OsvRecord } from './vulnerabilities/osv';
import type { VulnerabilityIndex } from './vulnerabilities/vulnerability-index';

/** One layer of the image, lowest first, as its manifest lists it. Opened once, read once, as a stream. */
export interface ImageLayer {
  mediaType: string;
  open(): Promise<AsyncIterable<Uint8Array>>;
}

export interface ScanImageRequest {
  layers: readonly ImageLayer[];
  vulnerabilities: VulnerabilityIndex;
  limits?: Partial<ScanLimits>;
  /** Cancels the scan (e.g. the worker's own deadline); it ends as FAILED `aborted`. */
  signal?: AbortSignal;
  /** The clock the time limit is measured with. */
  now?: () => number;
}

export type ScanResult =
  | {
      status: 'COMPLETE';
      os: OsInfo | undefined;
      packages: InstalledPackage[];
      /** Package databases found but not readable (e.g. rpm): their packages are not in `findings`. */
      unsupported: UnsupportedDatabase[];
      findings: ScanFinding[];
      findingSeverityCounts: FindingSeverityCounts;
    }
  /** `reason` is the sentence ECR shows as `imageScanStatus.description`; `code` says which bound or rule. */
  | { status: 'FAILED'; reason: string; code: ScanFailureReason }
  | { status: 'UNSUPPORTED_IMAGE'; reason: string };

const NOTHING_TO_SCAN = 'UnsupportedImageError: The operating system and/or package manager are not supported.';

/**
 * Scans one image (one platform): streams its layers lowest first into the view of the final filesystem,
 * inventories that view, and matches each package against the advisories for its ecosystem.
 *
 * Hostile or oversized images end as FAILED and unreadable artifacts as UNSUPPORTED_IMAGE; both are
 * results, not exceptions. It rejects only when the storage or the vulnerability index fails (the
 * scan can be retried), never because of what the image contains.
 */
export async function scanImage(request: ScanImageRequest): Promise<ScanResult> {
  const budget = new ScanBudget(request.limits, request.signal, request.now);
  try {
    const view = new ImageView();
    for (const layer of request.layers) {
      budget.checkTime();
      const changes = view.stage(inventoryInterest);
      // A non-layer media type is refused before the layer is opened (no stream is left half-read).
      detectCompression(layer.mediaType, new Uint8Array());
      await readLayer(await layer.open(), layer.mediaType, budget, changes);
      view.apply(changes);
    }
    const inventory = buildInventory(view);
    if (!inventory.os && inventory.packages.length === 0 && inventory.unsupported.length === 0) {
      return { status: 'UNSUPPORTED_IMAGE', reason: NOTHING_TO_SCAN };
    }
    const findings = sortFindings(await match(inventory.packages, request.vulnerabilities, budget));
    return { status: 'COMPLETE', ...inventory, findings, findingSeverityCounts: countSeverities(findings) };
  } catch (error) {
    if (error instanceof ScanFailedError) return { status: 'FAILED', reason: error.message, code: error.reason };
    if (error instanceof ScanUnsupportedError) return { status: 'UNSUPPORTED_IMAGE', reason: error.message };
    throw error;
  }
}

/** One finding per (advisory, package, version): `libssl3` and `openssl` share the source `openssl`. */
async function match(packages: InstalledPackage[], index: VulnerabilityIndex, budget: ScanBudget): Promise<ScanFinding[]> {
  const lookups = new Map<string, Promise<OsvRecord[]>>();
  const findings = new Map<string, ScanFinding>();
  for (const pkg of packages) {
    budget.checkTime();
    const { ecosystem, name, version } = advisoryCoordinates(pkg);
    const key = `${ecosystem}\0${packageKey(ecosystem, name)}`;
    let candidates = lookups.get(key);
    if (candidates === undefined) {
      candidates = index.candidates(ecosystem, name);
      lookups.set(key, candidates);
    }
    for (const record of await candidates) {
      if (!isAffected(record, pkg)) continue;
      const finding = toFinding(record, pkg);
      const id = `${finding.name}\0${ecosystem}\0${packageKey(ecosystem, name)}\0${version}`;
      if (!findings.has(id)) findings.set(id, finding);
    }
  }
  return [...findings.values()];
}
