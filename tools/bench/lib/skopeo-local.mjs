// The client's own limit for a skopeo push: skopeo copying the same OCI layout to a fresh local OCI
// layout (`skopeo copy oci:SRC:tag oci:DST:tag`). It reads, hashes and writes every layer as in a push,
// without HTTP and without a registry, so a registry's push time over this is what the registry costs.
import { mkdtemp, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { runCommand } from './proc.mjs';

/** Copies `image` (from buildRandomImage) `runs` times, each into a fresh directory; wall seconds per run. */
export async function skopeoLocalCopy(image, runs) {
  const seconds = [];
  for (let run = 1; run <= runs; run++) {
    const dest = await mkdtemp(join(dirname(image.dir), 'local-copy-'));
    try {
      const args = ['--insecure-policy', 'copy', '--quiet', `oci:${image.dir}:${image.tag}`, `oci:${join(dest, 'layout')}:${image.tag}`];
      const result = await runCommand('skopeo', args, { timeoutMs: 15 * 60_000 });
      if (result.code !== 0) throw new Error(`skopeo copy to a local layout failed (${result.code ?? result.signal}):\n${result.output}`);
      seconds.push(result.ms / 1000);
    } finally {
      await rm(dest, { recursive: true, force: true });
    }
  }
  return seconds;
}
