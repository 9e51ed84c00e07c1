/** The distribution an image is built from, as `/etc/os-release` names it. */
export interface OsInfo {
  /** `ID`, e.g. `debian`, `alpine`, `rhel`. */
  id: string;
  /** `VERSION_ID`, e.g. `12`, `3.19.1`; absent on rolling releases. */
  versionId?: string;
  /** `VERSION_CODENAME`, e.g. `bookworm`. */
  versionCodename?: string;
  prettyName?: string;
}

/** One installed package, named as the advisories of its ecosystem name it. */
export interface InstalledPackage {
  /** The OSV ecosystem: `Debian:12`, `Alpine:v3.19`, `npm`, `PyPI`, … */
  ecosystem: string;
  name: string;
  version: string;
  /**
   * The source package it was built from (dpkg `Source:`, apk `o:`); distributions publish advisories
   * per source package, so matching uses this name when present.
   */
  sourceName?: string;
  /** The source package's version when it differs from the binary's (dpkg `Source: name (version)`). */
  sourceVersion?: string;
  /** The file the package was found in. */
  path: string;
}

/** A package database the scanner found but cannot read; the scan reports it rather than guessing. */
export interface UnsupportedDatabase {
  manager: string;
  path: string;
  reason: string;
}

export interface Inventory {
  os: OsInfo | undefined;
  packages: InstalledPackage[];
  unsupported: UnsupportedDatabase[];
}
