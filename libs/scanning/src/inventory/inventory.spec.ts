import { ImageView } from '../layer/image-view';
import { readLayer } from '../layer/read-layer';
import { ScanBudget } from '../limits';
import { chunked, OCI_TAR, tarball, type TarEntrySpec } from '../spec-helpers';
import { buildInventory, inventoryInterest } from './inventory';

async function inventoryOf(entries: TarEntrySpec[]) {
  const view = new ImageView();
  const changes = view.stage(inventoryInterest);
  await readLayer(chunked(await tarball(entries)), OCI_TAR, new ScanBudget(), changes);
  view.apply(changes);
  return buildInventory(view);
}

describe('inventory', () => {
  it('wants package databases and nothing else', () => {
    expect(inventoryInterest('/etc/os-release')).toBe('content');
    expect(inventoryInterest('/var/lib/dpkg/status')).toBe('content');
    expect(inventoryInterest('/var/lib/dpkg/status.d/libc6')).toBe('content');
    expect(inventoryInterest('/var/lib/dpkg/status.d/libc6.md5sums')).toBeUndefined();
    expect(inventoryInterest('/usr/lib/apk/db/installed')).toBe('content');
    expect(inventoryInterest('/var/lib/rpm/rpmdb.sqlite')).toBe('presence');
    expect(inventoryInterest('/usr/bin/bash')).toBeUndefined();
    expect(inventoryInterest('/var/lib/dpkg/info/libc6.list')).toBeUndefined();
  });

  it('reads a distroless image: os-release and one dpkg file per package', async () => {
    const inventory = await inventoryOf([
      { name: 'etc/os-release', content: 'ID=debian\nVERSION_ID="12"\nPRETTY_NAME="Distroless"\n' },
      { name: 'var/lib/dpkg/status.d/libc6', content: 'Package: libc6\nVersion: 2.36-9+deb12u4\nSource: glibc\n' },
      { name: 'var/lib/dpkg/status.d/libc6.md5sums', content: 'd41d8cd98f00b204e9800998ecf8427e  lib/x86_64-linux-gnu/libc.so.6\n' },
      { name: 'var/lib/dpkg/status.d/tzdata', content: 'Package: tzdata\nVersion: 2024a-0+deb12u1\n' },
    ]);

    expect(inventory.packages.map((p) => `${p.ecosystem} ${p.name} ${p.path}`)).toEqual([
      'Debian:12 libc6 /var/lib/dpkg/status.d/libc6',
      'Debian:12 tzdata /var/lib/dpkg/status.d/tzdata',
    ]);
  });

  it('finds the apk database of a merged-/usr image through /lib -> usr/lib', async () => {
    const inventory = await inventoryOf([
      { name: 'etc/os-release', content: 'ID=alpine\nVERSION_ID=3.19.1\n' },
      { name: 'lib', type: 'symlink', linkname: 'usr/lib' },
      { name: 'usr/lib/apk/db/installed', content: 'P:musl\nV:1.2.4_git20230717-r4\no:musl\n' },
    ]);

    expect(inventory.packages).toEqual([
      { ecosystem: 'Alpine:v3.19', name: 'musl', version: '1.2.4_git20230717-r4', sourceName: 'musl', path: '/usr/lib/apk/db/installed' },
    ]);
  });
});
