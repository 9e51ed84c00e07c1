// The client's own limit for a push or a pull: skopeo copying the same OCI layout to a fresh local OCI
// layout (`skopeo copy oci:SRC:tag oci:DST:tag`). skopeo reads, hashes and writes every layer just as it
// does against a registry, with no network and no server in between, so a registry cannot beat it.
import { rm } from 'node:fs/promises';
import { runCommand } from './proc.mjs';

let copies = 0;

/** Times `runs` local copies of `image` (from images.mjs), each to a fresh destination; seconds per run. */
export async function skopeoLocalCopy(image, runs, log = () => {}) {
  const seconds = [];
  for (let run = 1; run <= runs; run++) {
    const dest = `${image.dir}-local-copy-${++copies}`;
    try {
      const args = ['--insecure-policy', 'copy', '--quiet', `oci:${image.dir}:${image.tag}`, `oci:${dest}:${image.tag}`];
      const result = await runCommand('skopeo', args, { timeoutMs: 15 * 60_000 });
      if (result.code !== 0) throw new Error(`skopeo local copy failed (${result.code ?? result.signal}):\n${result.output}`);
      log(`  skopeo ${image.layers} layers → local OCI layout: ${(result.ms / 1000).toFixed(2)} s`);
      seconds.push(result.ms / 1000);
    } finally {
      await rm(dest, { recursive: true, force: true });
    }
  }
  return seconds;
}
