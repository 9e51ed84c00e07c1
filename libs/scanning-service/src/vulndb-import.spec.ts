import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createMemoryStorage } from '@cargohold/storage-memory';
import { importVulnerabilities } from './vulndb-import';

const record = (id: string, ecosystem: string, name: string, modified = '2024-01-01T00:00:00Z') => ({
  schema_version: '1.6.0',
  id,
  modified,
  affected: [{ package: { ecosystem, name }, ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed: '1.0.0' }] }] }],
});

describe('importVulnerabilities', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'cargohold-vulndb-'));
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  it('loads a file, a folder recursively, and indexes records by affected package', async () => {
    const { vulnerabilities } = createMemoryStorage();
    await mkdir(join(dir, 'npm'), { recursive: true });
    await writeFile(join(dir, 'npm', 'GHSA-1.json'), JSON.stringify(record('GHSA-1', 'npm', 'lodash')));
    await writeFile(join(dir, 'PYSEC-1.json'), JSON.stringify(record('PYSEC-1', 'PyPI', 'urllib3')));
    await writeFile(join(dir, 'README.txt'), 'not a record');
    const report = await importVulnerabilities(dir, vulnerabilities);
    expect(report).toEqual({ read: 2, stored: 2, rejected: [] });
    expect(await vulnerabilities.candidates('npm', 'lodash')).toEqual([expect.objectContaining({ id: 'GHSA-1' })]);
    expect(await vulnerabilities.updatedAt()).toBeInstanceOf(Date);
  });

  it('streams the per-ecosystem zip archives osv.dev publishes', async () => {
    const { vulnerabilities } = createMemoryStorage();
    const staging = join(dir, 'zip');
    await mkdir(staging);
    for (let i = 0; i < 3; i++) await writeFile(join(staging, `DSA-${i}.json`), JSON.stringify(record(`DSA-${i}`, 'Debian:12', `pkg${i}`)));
    const zip = join(dir, 'all.zip');
    execFileSync('python3', [
      '-c',
      'import sys,zipfile,os;z=zipfile.ZipFile(sys.argv[1],"w",zipfile.ZIP_DEFLATED);[z.write(os.path.join(sys.argv[2],f),f) for f in sorted(os.listdir(sys.argv[2]))];z.close()',
      zip,
      staging,
    ]);
    expect(await importVulnerabilities(zip, vulnerabilities)).toEqual({ read: 3, stored: 3, rejected: [] });
    expect(await vulnerabilities.candidates('Debian:12', 'pkg2')).toHaveLength(1);
  });

  it('reports malformed records instead of storing them', async () => {
    const { vulnerabilities } = createMemoryStorage();
    await writeFile(join(dir, 'bad.json'), '{"id": 5}');
    await writeFile(join(dir, 'broken.json'), '{');
    const report = await importVulnerabilities(dir, vulnerabilities);
    expect(report.read).toBe(2);
    expect(report.stored).toBe(0);
    expect(report.rejected.map((r) => r.source.split('/').pop())).toEqual(['bad.json', 'broken.json']);
  });
});
