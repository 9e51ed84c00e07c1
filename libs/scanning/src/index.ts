export { LayerSourceError, SCAN_FAILURE_REASONS, ScanError, ScanFailedError, ScanUnsupportedError, type ScanFailureReason } from './errors';
export { DEFAULT_SCAN_LIMITS, ScanBudget, type ScanLimits } from './limits';

export { detectCompression, type LayerCompression } from './layer/decompress';
export { readLayer, type LayerEntry, type LayerVisitor } from './layer/read-layer';
export { ImageView, LayerChanges, type Interest } from './layer/image-view';
export { MAX_ZSTD_WINDOW_BYTES } from './layer/zstd-stream';

export type { InstalledPackage, Inventory, OsInfo, UnsupportedDatabase } from './inventory/types';
export { buildInventory, inventoryInterest } from './inventory/inventory';
export { osEcosystem, parseOsRelease } from './inventory/os-release';
export { parseDpkgStatus } from './inventory/dpkg';
export { parseApkInstalled } from './inventory/apk';
export { parseInstalledPackageJson, parsePackageLock } from './inventory/npm';
export { parsePythonMetadata } from './inventory/python';

export {
  osvRecordSchema,
  parseOsvRecord,
  type OsvAffected,
  type OsvEvent,
  type OsvRange,
  type OsvRecord,
  type OsvSeverity,
  type ParseOsvResult,
} from './vulnerabilities/osv';
export { compareDpkgVersions } from './vulnerabilities/versions/dpkg-version';
export { compareApkVersions, isValidApkVersion } from './vulnerabilities/versions/apk-version';
export { APK_ORDERING, DPKG_ORDERING, orderingForEcosystem, PEP440_ORDERING, SEMVER_ORDERING, type VersionOrdering } from './vulnerabilities/versions/ordering';
export { advisoryCoordinates, isAffected } from './vulnerabilities/affected';
export { parseCvssV3, type CvssV3 } from './vulnerabilities/cvss';
export {
  severityFromScore,
  toFinding,
  type FindingAttribute,
  type FindingSeverity,
  type FindingSeverityCounts,
  type ScanFinding,
} from './vulnerabilities/findings';
export { InMemoryVulnerabilityIndex, type VulnerabilityIndex } from './vulnerabilities/vulnerability-index';

export { scanImage, type ImageLayer, type ScanImageRequest, type ScanResult } from './scan-image';
