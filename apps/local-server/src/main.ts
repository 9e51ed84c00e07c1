import { parseCommand, USAGE } from './cli';
import { importVulnerabilities } from '@cargohold/scanning-service';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { openSqliteMetadata } from '@cargohold/storage-sqlite';
import { errorText } from './error-text';
import { startServer } from './server';

/** `cargohold serve`: runs until SIGINT/SIGTERM, then drains in-flight requests and exits. */
async function main(argv: string[]): Promise<number> {
  const command = parseCommand(argv);
  if (command.kind === 'help') {
    process.stdout.write(USAGE);
    return 0;
  }
  if (command.kind === 'error') {
    process.stderr.write(`cargohold: ${command.message}\n\n${USAGE}`);
    return 2;
  }
  if (command.kind === 'vulndb-import') {
    // Only the metadata database: opening the blob store would clear tmp/ under a running server.
    mkdirSync(command.dataDir, { recursive: true });
    const storage = openSqliteMetadata(join(command.dataDir, 'metadata.db'));
    try {
      const report = await importVulnerabilities(command.path, storage.vulnerabilities);
      for (const { source, error } of report.rejected.slice(0, 20)) process.stderr.write(`cargohold: skipped ${source}: ${error}\n`);
      process.stdout.write(`read ${report.read} records, stored ${report.stored}, rejected ${report.rejected.length}\n`);
      return report.read > 0 && report.rejected.length === report.read ? 1 : 0;
    } finally {
      await storage.close();
    }
  }
  const { kind: _kind, ...options } = command;
  // Listen before serving: a signal that arrives while the server starts must still drain, not kill.
  const stopping = new Promise<NodeJS.Signals>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  const server = await startServer(options);
  const signal = await stopping;
  // A second signal means "now": skip the drain.
  const force = () => process.exit(130);
  process.once('SIGINT', force);
  process.once('SIGTERM', force);
  process.stderr.write(`cargohold: ${signal}: finishing in-flight requests\n`);
  await server.close();
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`cargohold: ${errorText(error)}\n`);
    process.exit(1);
  },
);
