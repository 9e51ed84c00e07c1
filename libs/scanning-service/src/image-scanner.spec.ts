import { gzipSync } from 'node:zlib';
import { createMemoryStorage } from '@cargohold/storage-memory';
import { pack } from 'tar-stream';
import { createImageScanner } from './image-scanner';

async function layer(files: Record<string, string>) {
  const archive = pack();
  const chunks: Buffer[] = [];
  archive.on('data', (chunk: unknown) => chunks.push(chunk as Buffer));
  const ended = new Promise<void>((resolve) => archive.on('end', () => resolve()));
  for (const [name, content] of Object.entries(files)) archive.entry({ name }, content);
  archive.finalize();
  await ended;
  const bytes = gzipSync(Buffer.concat(chunks));
  return {
    digest: 'sha256:0000000000000000000000000000000000000000000000000000000000000000' as never,
    mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip',
    open: async () =>
      (async function* () {
        yield bytes;
      })(),
  };
}

const alpine = {
  'etc/os-release': 'NAME="Alpine Linux"\nID=alpine\nVERSION_ID=3.19.1\nPRETTY_NAME="Alpine Linux v3.19"\n',
  'lib/apk/db/installed': 'C:Q1abc=\nP:busybox\nV:1.36.1-r15\nA:x86_64\no:busybox\n\n',
};

describe('createImageScanner', () => {
  it('matches stored OSV records and reports ECR findings with severity counts', async () => {
    const { vulnerabilities } = createMemoryStorage();
    const advisory = {
      id: 'ALPINE-CVE-2023-42366',
      modified: '2024-05-01T00:00:00Z',
      aliases: ['CVE-2023-42366'],
      summary: 'A heap-buffer-overflow was discovered in BusyBox v.1.36.1 in the next_token function at awk.c:1159.',
      severity: [{ type: 'CVSS_V3', score: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:U/C:N/I:N/A:H' }],
      affected: [
        { package: { ecosystem: 'Alpine:v3.19', name: 'busybox' }, ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed: '1.36.1-r16' }] }] },
      ],
    };
    await vulnerabilities.upsert(
      [{ id: advisory.id, modified: advisory.modified, packages: [{ ecosystem: 'Alpine:v3.19', name: 'busybox' }], record: advisory }],
      new Date('2026-01-01T00:00:00Z'),
    );
    const scanner = createImageScanner(vulnerabilities);
    const result = await scanner.scan([await layer(alpine)]);
    expect(result).toEqual({
      status: 'COMPLETE',
      severityCounts: { MEDIUM: 1 },
      findings: [expect.objectContaining({ name: 'CVE-2023-42366', severity: 'MEDIUM' })],
    });
    expect(await scanner.vulnerabilitySourceUpdatedAt()).toEqual(new Date('2026-01-01T00:00:00Z'));
  });

  it('reports an image without a known OS or package database as UNSUPPORTED_IMAGE', async () => {
    const { vulnerabilities } = createMemoryStorage();
    const result = await createImageScanner(vulnerabilities).scan([await layer({ 'hello.txt': 'hi' })]);
    expect(result).toMatchObject({ status: 'UNSUPPORTED_IMAGE' });
  });
});
