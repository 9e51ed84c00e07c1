import { osEcosystem, parseOsRelease } from './os-release';

describe('parseOsRelease', () => {
  it('reads ID, VERSION_ID and VERSION_CODENAME with shell quoting', () => {
    const text = '# comment\nID="ubuntu"\nVERSION_ID=\'22.04\'\nVERSION_CODENAME=jammy\nPRETTY_NAME="Ubuntu 22.04.4 LTS \\"Jammy\\""\n';

    expect(parseOsRelease(text)).toEqual({ id: 'ubuntu', versionId: '22.04', versionCodename: 'jammy', prettyName: 'Ubuntu 22.04.4 LTS "Jammy"' });
  });

  it('needs an ID', () => {
    expect(parseOsRelease('NAME=Something\n')).toBeUndefined();
  });
});

describe('osEcosystem', () => {
  it.each([
    [{ id: 'debian', versionId: '12' }, 'dpkg', 'Debian:12'],
    [{ id: 'debian', versionId: '11.9' }, 'dpkg', 'Debian:11'],
    [{ id: 'debian' }, 'dpkg', 'Debian'],
    [{ id: 'ubuntu', versionId: '22.04' }, 'dpkg', 'Ubuntu:22.04'],
    [{ id: 'alpine', versionId: '3.19.1' }, 'apk', 'Alpine:v3.19'],
    [{ id: 'alpine', versionId: '3.20.0_alpha20240329' }, 'apk', 'Alpine:v3.20'],
    [{ id: 'linuxmint', versionId: '21' }, 'dpkg', 'dpkg'],
    [undefined, 'apk', 'apk'],
  ] as const)('names %j packages of %s as %s', (os, manager, expected) => {
    expect(osEcosystem(os, manager)).toBe(expected);
  });
});
