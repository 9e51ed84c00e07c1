// Workspace TypeScript sources, bundled on the fly by esbuild into tools/bench/.cache/ and imported: the
// bench is plain ESM outside the TypeScript build. The output stays inside the repository, so the
// packages left external resolve from the root node_modules.
import { mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build } from 'esbuild';

export const ROOT = resolve(fileURLToPath(new URL('../../..', import.meta.url)));
const CACHE = fileURLToPath(new URL('../.cache', import.meta.url));
/** Lets CommonJS dependencies bundled into an ES module call require() for Node's built-ins. */
const REQUIRE_SHIM = "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);";

/**
 * Bundles `source` into .cache/<name>.mjs and imports it. `source` is a file under the repository root,
 * or `{ exports: [lines] }`: export statements gathering what one bundle takes from several packages.
 * `packages: 'external'` leaves every package to node_modules, `external` the ones named;
 * `requireShim` adds the require() that bundled CommonJS code needs.
 */
export async function bundleAndImport(name, source, { packages, external, requireShim = false } = {}) {
  await mkdir(CACHE, { recursive: true });
  const outfile = join(CACHE, `${name}.mjs`);
  await build({
    ...(typeof source === 'string'
      ? { entryPoints: [join(ROOT, source)] }
      : { stdin: { contents: source.exports.join('\n'), resolveDir: ROOT, loader: 'ts' } }),
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'esm',
    ...(packages ? { packages } : {}),
    ...(external ? { external } : {}),
    ...(requireShim ? { banner: { js: REQUIRE_SHIM } } : {}),
    outfile,
    logLevel: 'warning',
  });
  return import(`${pathToFileURL(outfile).href}?t=${Date.now()}`);
}
