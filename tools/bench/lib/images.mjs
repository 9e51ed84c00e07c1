// Benchmark images, built offline as OCI image layouts with the e2e image builders
// (tools/e2e/src/images.ts), bundled on the fly with esbuild because bench is plain ESM outside the
// TypeScript build. Layers are random (incompressible) and gzip-wrapped: skopeo pushes gzip layers as
// they are, whereas it would gzip uncompressed layers itself and measure its own compressor.
import { mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build } from 'esbuild';

const ROOT = resolve(fileURLToPath(new URL('../../..', import.meta.url)));
const CACHE = fileURLToPath(new URL('../.cache', import.meta.url));

let builders;

async function e2eBuilders() {
  if (builders) return builders;
  await mkdir(CACHE, { recursive: true });
  // Output stays inside the repo so `tar-stream` (external) resolves from the root node_modules.
  const outfile = join(CACHE, 'e2e-images.mjs');
  await build({
    entryPoints: [join(ROOT, 'tools/e2e/src/images.ts')],
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'esm',
    packages: 'external',
    outfile,
    logLevel: 'warning',
  });
  builders = await import(`${pathToFileURL(outfile).href}?t=${Date.now()}`);
  return builders;
}

/** Writes an OCI layout with `count` random layers of `size` bytes each, tagged `tag`. */
export async function buildRandomImage(dir, { count, size, tag = 'bench' }) {
  const { buildOciLayout } = await e2eBuilders();
  const layers = Array.from({ length: count }, () => ({ randomBytes: size, compression: 'gzip' }));
  const image = await buildOciLayout(dir, { layers, tag });
  const bytes = image.layers.reduce((sum, layer) => sum + layer.size, 0);
  return { dir, tag, layers: image.layers.length, bytes };
}
