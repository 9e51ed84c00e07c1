// Builds the console into static files: index.html, console.js (one bundle), console.css. The server
// serves exactly these names (apps/local-server/src/console-files.ts), so keep them fixed.
// Usage: node libs/console-web/build.mjs <outdir>
import { copyFile, mkdir } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const here = dirname(fileURLToPath(import.meta.url));
const outdir = resolve(process.argv[2] ?? join(here, '../../dist/libs/console-web'));

await mkdir(outdir, { recursive: true });
await build({
  entryPoints: { console: join(here, 'src/main.tsx') },
  bundle: true,
  minify: true,
  format: 'esm',
  platform: 'browser',
  target: ['es2020'],
  jsx: 'automatic',
  jsxImportSource: 'preact',
  outdir,
  // The inline SVG chart and the signer need nothing from Node: a stray Buffer would fail the build here.
  logLevel: 'warning',
  legalComments: 'none',
});
await copyFile(join(here, 'src/index.html'), join(outdir, 'index.html'));
