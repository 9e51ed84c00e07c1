import { ScanFailedError } from '../errors';

/**
 * Paths inside an image are absolute, canonical and rooted at the image root: `/etc/os-release`, never
 * `etc/os-release`, `./etc//os-release` or `/etc/../etc/os-release`. Tar entry names are relative to the
 * root, so an absolute name or one whose `..` climbs above the root is hostile (it would write outside
 * the extraction directory) and ends the scan.
 */
export function normalizeEntryPath(name: string): string {
  if (name.startsWith('/')) throw new ScanFailedError('absolute-path', quote(name));
  const path = resolveSegments('/', name);
  if (path === undefined) throw new ScanFailedError('path-escape', quote(name));
  return path;
}

/** A hardlink names another entry of the archive, relative to the root, with the same rules. */
export function normalizeHardlinkTarget(path: string, linkname: string): string {
  if (linkname.startsWith('/')) throw new ScanFailedError('link-escape', `${path} -> ${quote(linkname)}`);
  const target = resolveSegments('/', linkname);
  if (target === undefined) throw new ScanFailedError('link-escape', `${path} -> ${quote(linkname)}`);
  return target;
}

/**
 * A symlink target is resolved as the container would see it: absolute targets from the image root,
 * relative ones from the link's directory. A relative target that climbs above the root is refused.
 */
export function resolveSymlinkTarget(path: string, target: string): string {
  const base = target.startsWith('/') ? '/' : dirname(path);
  const resolved = resolveSegments(base, target);
  if (resolved === undefined) throw new ScanFailedError('link-escape', `${path} -> ${quote(target)}`);
  return resolved;
}

export function dirname(path: string): string {
  const slash = path.lastIndexOf('/');
  return slash <= 0 ? '/' : path.slice(0, slash);
}

export function basename(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1);
}

export function joinPath(dir: string, name: string): string {
  return dir === '/' ? `/${name}` : `${dir}/${name}`;
}

/** Joins `relative` onto the absolute canonical `base`; undefined when `..` climbs above the root. */
function resolveSegments(base: string, relative: string): string | undefined {
  const segments = base === '/' ? [] : base.slice(1).split('/');
  for (const segment of relative.split('/')) {
    if (segment === '' || segment === '.') continue;
    if (segment === '..') {
      if (segments.length === 0) return undefined;
      segments.pop();
    } else {
      segments.push(segment);
    }
  }
  return `/${segments.join('/')}`;
}

/** Entry names are attacker-controlled: keep them short and printable in messages. */
function quote(name: string): string {
  const printable = name.replace(/[^\x20-\x7e]/g, '?');
  return JSON.stringify(printable.length > 200 ? `${printable.slice(0, 200)}…` : printable);
}
