// Cold-start cost of each Lambda bundle: `serverless package --stage dev` (offline), then per function
// the zip and bundle sizes and the time to `require` the bundle in a fresh Node process — what Lambda's
// init phase pays before the first invocation (module evaluation, client construction), minus the
// runtime's own start. Nothing reaches AWS: the environment is fake and every endpoint a closed port.
import { readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';

const require = createRequire(import.meta.url);
const { extractZip, handlerEntry, loadBundle, offlineFunctionEnv, packageService } = require('../../serverless/bundles.js');

const median = (list) => {
  const sorted = [...list].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};

export async function coldStart(tmp, { runs }, log) {
  const out = join(tmp, 'serverless-package');
  log('coldstart: serverless package --stage dev');
  const packaged = await packageService({ stage: 'dev', outDir: out });
  const template = JSON.parse(readFileSync(join(out, 'cloudformation-template-update-stack.json'), 'utf8'));
  const functions = Object.values(template.Resources).filter((r) => r.Type === 'AWS::Lambda::Function');
  const env = offlineFunctionEnv();
  const results = [];
  for (const fn of functions) {
    const zip = fn.Properties.Code.S3Key.split('/').pop();
    const name = zip.replace(/\.zip$/, '');
    const { file } = handlerEntry(fn.Properties.Handler);
    extractZip(join(out, zip), join(tmp, 'bundles', name));
    const bundle = join(tmp, 'bundles', name, file);
    const requireMs = [];
    const requireCpuMs = [];
    const processMs = [];
    const requireNoMapsMs = [];
    // Alternating with and without --enable-source-maps (what NODE_OPTIONS in serverless.yml costs).
    for (let run = 1; run <= runs; run++) {
      const started = performance.now();
      const report = await loadBundle(bundle, { env });
      processMs.push(performance.now() - started);
      if (report.error) throw new Error(`${name}: ${report.error.message}\n${report.output}`);
      requireMs.push(report.requireMs);
      requireCpuMs.push(report.requireCpuMs);
      requireNoMapsMs.push((await loadBundle(bundle, { env, sourceMaps: false })).requireMs);
    }
    const result = {
      name,
      zipBytes: statSync(join(out, zip)).size,
      bundleBytes: statSync(bundle).size,
      requireMs: median(requireMs),
      requireCpuMs: median(requireCpuMs),
      requireNoMapsMs: median(requireNoMapsMs),
      processMs: median(processMs),
      raw: { requireMs, requireCpuMs, requireNoMapsMs, processMs },
    };
    log(
      `coldstart: ${name}: zip ${(result.zipBytes / 1e6).toFixed(2)} MB, require ${result.requireMs.toFixed(0)} ms (CPU ${result.requireCpuMs.toFixed(0)} ms), median of ${runs}`,
    );
    results.push(result);
  }
  return { packagingMs: packaged.ms, functions: results };
}
