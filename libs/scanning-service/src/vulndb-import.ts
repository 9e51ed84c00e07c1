import { readdir, readFile, stat } from 'node:fs/promises';
import { extname, join } from 'node:path';
import { parseOsvRecord, type OsvRecord } from '@cargohold/scanning';
import type { StoredVulnerability, VulnerabilityStore } from '@cargohold/storage-ports';
import { open as openZip, type Entry, type ZipFile } from 'yauzl';

/** Bounds on what an import reads, so a hostile archive cannot exhaust memory. */
const MAX_RECORD_BYTES = 16 * 1024 * 1024;
const BATCH = 1000;

export interface ImportReport {
  readonly read: number;
  readonly stored: number;
  readonly rejected: { source: string; error: string }[];
}

/**
 * `cargohold vulndb import PATH`: OSV records from a `.json` file, a folder of them (recursively) or the
 * per-ecosystem `.zip` archives osv.dev publishes, upserted in batches.
 */
export async function importVulnerabilities(
  path: string,
  store: VulnerabilityStore,
  now: () => Date = () => new Date(),
  /** Told the records read and stored so far, after every record (the CLI's progress throttles it). */
  onProgress?: (read: number, stored: number) => void,
): Promise<ImportReport> {
  const report = { read: 0, stored: 0, rejected: [] as { source: string; error: string }[] };
  let batch: StoredVulnerability[] = [];
  const flush = async () => {
    if (batch.length > 0) report.stored += await store.upsert(batch, now());
    batch = [];
  };
  const accept = async (source: string, text: string) => {
    report.read++;
    const record = parse(text);
    if (!record.ok) {
      report.rejected.push({ source, error: record.error });
      onProgress?.(report.read, report.stored);
      return;
    }
    batch.push(toStored(record.record));
    if (batch.length >= BATCH) await flush();
    onProgress?.(report.read, report.stored);
  };
  await walk(path, accept);
  await flush();
  return report;
}

function parse(text: string): { ok: true; record: OsvRecord } | { ok: false; error: string } {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    return { ok: false, error: `not JSON: ${(error as Error).message}` };
  }
  const parsed = parseOsvRecord(json);
  return parsed.ok ? { ok: true, record: parsed.record } : { ok: false, error: parsed.error };
}

function toStored(record: OsvRecord): StoredVulnerability {
  const packages = new Map<string, { ecosystem: string; name: string }>();
  for (const affected of record.affected ?? []) {
    const pkg = affected.package;
    if (pkg) packages.set(`${pkg.ecosystem}\u0000${pkg.name}`, { ecosystem: pkg.ecosystem, name: pkg.name });
  }
  return { id: record.id, modified: record.modified ?? '1970-01-01T00:00:00Z', packages: [...packages.values()], record };
}

async function walk(path: string, accept: (source: string, text: string) => Promise<void>): Promise<void> {
  const info = await stat(path);
  if (info.isDirectory()) {
    for (const entry of (await readdir(path)).sort()) await walk(join(path, entry), accept);
    return;
  }
  const extension = extname(path).toLowerCase();
  if (extension === '.zip') return readZip(path, accept);
  if (extension !== '.json') return;
  if (info.size > MAX_RECORD_BYTES) throw new Error(`${path} is larger than ${MAX_RECORD_BYTES} bytes`);
  await accept(path, await readFile(path, 'utf8'));
}

/** Streams the `.json` entries of a zip one at a time (osv.dev's `all.zip` per ecosystem). */
function readZip(path: string, accept: (source: string, text: string) => Promise<void>): Promise<void> {
  return new Promise((resolve, reject) => {
    openZip(path, { lazyEntries: true }, (error, zip?: ZipFile) => {
      if (error || !zip) return reject(error ?? new Error(`cannot open ${path}`));
      zip.on('error', reject);
      zip.on('end', () => resolve());
      zip.on('entry', (entry: Entry) => {
        if (!entry.fileName.endsWith('.json') || entry.uncompressedSize > MAX_RECORD_BYTES) return zip.readEntry();
        zip.openReadStream(entry, (streamError, stream) => {
          if (streamError || !stream) return reject(streamError ?? new Error(`cannot read ${entry.fileName}`));
          const chunks: Buffer[] = [];
          let size = 0;
          stream.on('data', (chunk: Buffer) => {
            size += chunk.length;
            if (size > MAX_RECORD_BYTES) stream.destroy(new Error(`${entry.fileName} exceeds ${MAX_RECORD_BYTES} bytes`));
            else chunks.push(chunk);
          });
          stream.on('error', reject);
          stream.on('end', () => {
            accept(`${path}!${entry.fileName}`, Buffer.concat(chunks).toString('utf8')).then(() => zip.readEntry(), reject);
          });
        });
      });
      zip.readEntry();
    });
  });
}
