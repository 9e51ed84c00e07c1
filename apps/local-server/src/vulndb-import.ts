import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { importVulnerabilities } from '@cargohold/scanning-service';
import { openSqliteMetadata } from '@cargohold/storage-sqlite';
import type { Progress } from './progress';

/**
 * `cargohold vulndb import PATH`: loads OSV records into the scanner's database under `dataDir`. Only
 * the metadata database is opened: opening the blob store would clear tmp/ under a running server.
 * Returns the exit code (1 when every record read was rejected).
 */
export async function importVulnerabilityDatabase(
  path: string,
  dataDir: string,
  stderr: (line: string) => void,
  progress?: Progress,
): Promise<{ code: number; summary: string }> {
  mkdirSync(dataDir, { recursive: true });
  const storage = openSqliteMetadata(join(dataDir, 'metadata.db'));
  try {
    const report = await importVulnerabilities(path, storage.vulnerabilities, undefined, (read, stored) =>
      progress?.update(read, undefined, `read ${read} records, stored ${stored}`),
    );
    for (const { source, error } of report.rejected.slice(0, 20)) stderr(`cargohold: skipped ${source}: ${error}\n`);
    const summary = `read ${report.read} records, stored ${report.stored}, rejected ${report.rejected.length}\n`;
    return { code: report.read > 0 && report.rejected.length === report.read ? 1 : 0, summary };
  } finally {
    await storage.close();
  }
}
