import type { ImageView, Interest } from '../layer/image-view';
import { basename, dirname } from '../layer/tar-paths';
import { parseApkInstalled } from './apk';
import { parseDpkgStatus } from './dpkg';
import { isInstalledPackageJson, parseInstalledPackageJson, parsePackageLock } from './npm';
import { osEcosystem, parseOsRelease } from './os-release';
import { isPythonMetadata, parsePythonMetadata } from './python';
import { decodeText } from './text';
import type { InstalledPackage, Inventory, UnsupportedDatabase } from './types';

const OS_RELEASE = ['/etc/os-release', '/usr/lib/os-release'];
const DPKG_STATUS = '/var/lib/dpkg/status';
const DPKG_STATUS_D = '/var/lib/dpkg/status.d';
const APK_INSTALLED = '/lib/apk/db/installed';

/** rpm databases: their presence is reported, their formats (SQLite, Berkeley DB, NDB) are not read yet. */
const RPM_DATABASES: Readonly<Record<string, string>> = {
  '/var/lib/rpm/rpmdb.sqlite': 'SQLite',
  '/usr/lib/sysimage/rpm/rpmdb.sqlite': 'SQLite',
  '/var/lib/rpm/Packages': 'Berkeley DB',
  '/var/lib/rpm/Packages.db': 'NDB',
  '/usr/lib/sysimage/rpm/Packages.db': 'NDB',
};

const CONTENT_PATHS = new Set([...OS_RELEASE, DPKG_STATUS, APK_INSTALLED]);

/**
 * Which files the inventory reads while layers stream by. Fixed paths are also wanted under `/usr`,
 * because on merged-/usr images `/lib` is a symlink to `usr/lib` and the file lives there.
 */
export function inventoryInterest(path: string): Interest | undefined {
  const unmerged = path.startsWith('/usr/lib/') ? path.slice('/usr'.length) : path;
  if (CONTENT_PATHS.has(path) || CONTENT_PATHS.has(unmerged)) return 'content';
  if (RPM_DATABASES[path] !== undefined) return 'presence';
  if (dirname(path) === DPKG_STATUS_D && !basename(path).endsWith('.md5sums')) return 'content';
  if (basename(path) === 'package-lock.json' || isInstalledPackageJson(path) || isPythonMetadata(path)) return 'content';
  return undefined;
}

/** The packages of an image's final filesystem. */
export function buildInventory(view: ImageView): Inventory {
  const osFile = OS_RELEASE.map((path) => view.readFile(path)).find((file) => file.found);
  const os = osFile?.found ? parseOsRelease(decodeText(osFile.content)) : undefined;
  const packages: InstalledPackage[] = [];
  const unsupported: UnsupportedDatabase[] = [];

  const dpkg = osEcosystem(os, 'dpkg');
  const status = view.readFile(DPKG_STATUS);
  if (status.found) packages.push(...parseDpkgStatus(decodeText(status.content), dpkg, status.path));
  for (const file of view.listFiles(DPKG_STATUS_D)) {
    if (!basename(file.path).endsWith('.md5sums')) packages.push(...parseDpkgStatus(decodeText(file.content), dpkg, file.path));
  }

  const apk = view.readFile(APK_INSTALLED);
  if (apk.found) packages.push(...parseApkInstalled(decodeText(apk.content), osEcosystem(os, 'apk'), apk.path));

  const rpmSeen = new Set<string>();
  for (const [path, format] of Object.entries(RPM_DATABASES)) {
    const file = view.readFile(path);
    if (!file.found || rpmSeen.has(file.path)) continue;
    rpmSeen.add(file.path);
    unsupported.push({ manager: 'rpm', path: file.path, reason: `rpm ${format} databases are not supported yet` });
  }

  for (const file of view.files()) {
    const text = (): string => decodeText(file.content);
    if (basename(file.path) === 'package-lock.json') packages.push(...parsePackageLock(text(), file.path));
    else if (isInstalledPackageJson(file.path)) packages.push(...parseInstalledPackageJson(text(), file.path));
    else if (isPythonMetadata(file.path)) packages.push(...parsePythonMetadata(text(), file.path));
  }
  return { os, packages, unsupported };
}
