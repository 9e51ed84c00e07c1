import { parseCommand, USAGE } from './cli';
import { errorText } from './error-text';
import { loadConfigFile } from './config';
import { readServeEnvironment } from './serve-env';
import { startServer } from './server';
import { progressReporter } from './progress';
import { VERSION } from './version';

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
  if (command.kind === 'version') {
    process.stdout.write(`cargohold ${VERSION}\n`);
    return 0;
  }
  if (command.kind === 'aws-bootstrap') {
    const { kind: _kind, ...options } = command;
    const { runAwsBootstrap } = await import('./aws-bootstrap');
    process.stdout.write(await runAwsBootstrap(options));
    return 0;
  }
  if (command.kind === 'vulndb-import') {
    // Loaded only here, like the embedded storage: the upload gateway's bundle never needs SQLite.
    const { importVulnerabilityDatabase } = await import('./vulndb-import');
    const progress = progressReporter('cargohold vulndb import', process.stderr);
    const { code, summary } = await importVulnerabilityDatabase(command.path, command.dataDir, (line) => process.stderr.write(line), progress);
    progress.finish();
    process.stdout.write(summary);
    return code;
  }
  if (command.kind === 'fsck') {
    const { fsck, describeReport } = await import('./fsck');
    const progress = progressReporter('cargohold fsck', process.stderr);
    const report = await fsck({ dataDir: command.dataDir, repair: command.repair, progress });
    progress.finish();
    const { code, text } = describeReport(report, command.dataDir);
    process.stdout.write(text);
    return code;
  }
  if (command.kind === 'gc') {
    const { runGcCommand } = await import('./gc-command');
    return runGcCommand(command);
  }
  const { kind: _kind, ...options } = command;
  // Listen before serving: a signal that arrives while the server starts must still drain, not kill.
  const stopping = new Promise<NodeJS.Signals>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  const env = readServeEnvironment(process.env);
  const config = loadConfigFile(options.configFile);
  const server = await startServer({
    ...options,
    config: env.identities ? { ...config, identities: env.identities } : config,
    ...(env.tokenKey ? { tokenKey: env.tokenKey } : {}),
    // A failed fsync of the metadata: stop at once, without draining. Requests in flight get no answer
    // rather than one whose commit may not be on disk; at restart SQLite recovers what is.
    onStorageFailure: (error) => {
      process.stderr.write(`cargohold: stopping: the metadata database could not sync a commit to disk (${errorText(error)}); restart cargohold\n`);
      process.exit(1);
    },
  });
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
