import { mkdir, mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DirectorySyncs } from './directory-syncs';

const openDescriptors = async () => (await readdir('/proc/self/fd')).length;

(process.platform === 'linux' ? describe : describe.skip)('DirectorySyncs', () => {
  let root: string;
  beforeEach(async () => {
    root = await mkdtemp(join(tmpdir(), 'cargohold-syncs-'));
  });
  afterEach(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it('syncs a directory on one descriptor kept open until close, then on a descriptor per sync', async () => {
    const syncs = new DirectorySyncs();
    const before = await openDescriptors();
    await Promise.all([syncs.sync(root), syncs.sync(root)]);
    await syncs.sync(root);
    expect(await openDescriptors()).toBe(before + 1);

    await syncs.close();
    expect(await openDescriptors()).toBe(before);
    await syncs.sync(root);
    expect(await openDescriptors()).toBe(before);
  });

  it('opens a directory that was missing at its first sync once it exists', async () => {
    const syncs = new DirectorySyncs();
    await expect(syncs.sync(join(root, 'later'))).rejects.toMatchObject({ code: 'ENOENT' });
    await mkdir(join(root, 'later'));
    await expect(syncs.sync(join(root, 'later'))).resolves.toBeUndefined();
    await syncs.close();
  });

  it('closes a kept descriptor only after the syncs running on it finished', async () => {
    for (let round = 0; round < 200; round++) {
      const syncs = new DirectorySyncs();
      const running = Promise.all([syncs.sync(root), syncs.sync(root)]);
      await syncs.close();
      await expect(running).resolves.toBeDefined();
    }
  });
});
