'use strict';
// Child side of bundles.js#loadBundle: require a handler bundle, time it, optionally invoke the handler
// with the event from CARGOHOLD_INVOKE_EVENT, report over IPC and exit (open sockets must not keep a
// finished invocation alive).
const [file, exportName] = process.argv.slice(2);

async function main() {
  const started = performance.now();
  const cpuStarted = process.cpuUsage();
  const mod = require(file);
  const requireMs = performance.now() - started;
  // CPU time of the process (all threads) during the require: on a shared machine it varies much less
  // than the wall time, which includes waiting for a core.
  const { user, system } = process.cpuUsage(cpuStarted);
  const requireCpuMs = (user + system) / 1000;
  const handler = mod[exportName];
  if (typeof handler !== 'function') return { requireMs, requireCpuMs, exports: Object.keys(mod), error: { message: `${exportName} is not a function` } };
  const eventText = process.env.CARGOHOLD_INVOKE_EVENT;
  if (!eventText) return { requireMs, requireCpuMs, exports: Object.keys(mod) };
  const context = {
    functionName: 'bundle-check',
    awsRequestId: 'c0ffee00-0000-4000-8000-000000000000',
    callbackWaitsForEmptyEventLoop: true,
    getRemainingTimeInMillis: () => 29_000,
  };
  const invokeStarted = performance.now();
  try {
    const result = await handler(JSON.parse(eventText), context);
    return { requireMs, requireCpuMs, exports: Object.keys(mod), invokeMs: performance.now() - invokeStarted, result: result ?? null };
  } catch (error) {
    return {
      requireMs,
      requireCpuMs,
      exports: Object.keys(mod),
      invokeMs: performance.now() - invokeStarted,
      error: { name: error?.name, message: String(error?.message ?? error) },
    };
  }
}

main().then(
  (report) => process.send(report, () => process.exit(0)),
  (error) => process.send({ error: { name: error?.name, message: String(error?.stack ?? error) } }, () => process.exit(0)),
);
