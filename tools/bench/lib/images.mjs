// Benchmark images, built offline as OCI image layouts with the e2e image builders
// (tools/e2e/src/images.ts), bundled on the fly with esbuild because bench is plain ESM outside the
// TypeScript build. Layers are random (incompressible) and gzip-wrapped: skopeo pushes gzip layers as
// they are, whereas it would gzip uncompressed layers itself and measure its own compressor.
import { bundleAndImport } from './bundle.mjs';

let builders;

async function e2eBuilders() {
  if (builders) return builders;
  builders = await bundleAndImport('e2e-images', 'tools/e2e/src/images.ts', { packages: 'external' });
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
