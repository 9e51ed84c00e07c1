import { PACKAGE_LOCK_V3 } from '../spec-fixtures/package-databases';
import { isInstalledPackageJson, parseInstalledPackageJson, parsePackageLock } from './npm';

const names = (text: string): string[] => parsePackageLock(text, '/app/package-lock.json').map((p) => `${p.name}@${p.version}`);

describe('npm', () => {
  it('reads a v3 lockfile: installed packages, scoped ones included, without the root or dev dependencies', () => {
    expect(names(PACKAGE_LOCK_V3)).toEqual(['@types/node@20.11.5', 'lodash@4.17.20', 'minimist@1.2.5', 'undici-types@5.26.5']);
  });

  it('reads a v2 lockfile from its packages section, nested node_modules included, links skipped', () => {
    const lock = {
      lockfileVersion: 2,
      packages: {
        '': { name: 'x' },
        'node_modules/a': { version: '1.0.0' },
        'node_modules/a/node_modules/b': { version: '2.0.0' },
        'node_modules/ws': { resolved: 'packages/ws', link: true },
      },
      dependencies: { a: { version: '9.9.9' } },
    };

    expect(names(JSON.stringify(lock))).toEqual(['a@1.0.0', 'b@2.0.0']);
  });

  it('reads a v1 lockfile by walking nested dependencies', () => {
    const lock = {
      lockfileVersion: 1,
      dependencies: {
        lodash: { version: '4.17.20' },
        mkdirp: { version: '0.5.5', dependencies: { minimist: { version: '1.2.5' } } },
        jest: { version: '26.6.3', dev: true },
        local: { version: 'file:../local' },
      },
    };

    expect(names(JSON.stringify(lock))).toEqual(['lodash@4.17.20', 'mkdirp@0.5.5', 'minimist@1.2.5']);
  });

  it('ignores a lockfile that is not JSON', () => {
    expect(names('{ not json')).toEqual([]);
  });

  it("reads an installed package's own package.json, scoped or not", () => {
    expect(isInstalledPackageJson('/app/node_modules/lodash/package.json')).toBe(true);
    expect(isInstalledPackageJson('/app/node_modules/@types/node/package.json')).toBe(true);
    expect(isInstalledPackageJson('/app/node_modules/a/node_modules/b/package.json')).toBe(true);
    expect(isInstalledPackageJson('/app/package.json')).toBe(false);
    expect(isInstalledPackageJson('/app/node_modules/lodash/fp/package.json')).toBe(false);
    expect(parseInstalledPackageJson('{"name":"@types/node","version":"20.11.5"}', '/p')).toEqual([
      { ecosystem: 'npm', name: '@types/node', version: '20.11.5', path: '/p' },
    ]);
  });
});
