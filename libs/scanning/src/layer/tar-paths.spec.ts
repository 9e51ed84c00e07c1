import { ScanFailedError } from '../errors';
import { normalizeEntryPath, normalizeHardlinkTarget, resolveSymlinkTarget } from './tar-paths';

describe('tar paths', () => {
  it.each([
    ['etc/os-release', '/etc/os-release'],
    ['./etc//os-release', '/etc/os-release'],
    ['usr/lib/../../etc/os-release', '/etc/os-release'],
    ['etc/', '/etc'],
    ['./', '/'],
  ])('normalizes the entry name %j to %j', (name, expected) => {
    expect(normalizeEntryPath(name)).toBe(expected);
  });

  it.each([
    ['../etc/passwd', 'path-escape'],
    ['a/../../b', 'path-escape'],
    ['/etc/passwd', 'absolute-path'],
  ])('refuses the entry name %j (%s)', (name, reason) => {
    expect(() => normalizeEntryPath(name)).toThrow(expect.objectContaining({ reason }) as ScanFailedError);
  });

  it('resolves symlink targets from the link directory, or from the root when absolute', () => {
    expect(resolveSymlinkTarget('/etc/os-release', '../usr/lib/os-release')).toBe('/usr/lib/os-release');
    expect(resolveSymlinkTarget('/lib', '/usr/lib')).toBe('/usr/lib');
    expect(() => resolveSymlinkTarget('/etc/x', '../../y')).toThrow(ScanFailedError);
  });

  it('reads hardlink targets relative to the root and refuses escapes', () => {
    expect(normalizeHardlinkTarget('/b', 'usr/bin/a')).toBe('/usr/bin/a');
    expect(() => normalizeHardlinkTarget('/b', '../a')).toThrow(ScanFailedError);
  });
});
