// skopeo pull wall time: the image is pushed once to a fresh server (by skopeo, untimed), then each run
// copies it from the registry into a fresh local OCI layout, the same destination as skopeo-local.mjs's
// reference. The server stays up across runs, so its blobs are page-cached like the local layout's.
import { rm } from 'node:fs/promises';
import { runCommand } from './proc.mjs';
import { startServer } from './servers.mjs';

async function skopeo(args, what) {
  const result = await runCommand('skopeo', ['--insecure-policy', 'copy', '--quiet', ...args], { timeoutMs: 15 * 60_000 });
  if (result.code !== 0) throw new Error(`${what} failed (${result.code ?? result.signal}):\n${result.output}`);
  return result.ms / 1000;
}

/** A server of `kind` holding `image` as bench/pull:<tag>; `pull(run)` times one pull, `stop()` ends it. */
export async function pullSource(kind, tmp, image, log) {
  const server = await startServer(kind, tmp);
  const ref = `docker://${server.host}/bench/pull:${image.tag}`;
  try {
    await skopeo(['--dest-tls-verify=false', '--dest-no-creds', `oci:${image.dir}:${image.tag}`, ref], `skopeo push to ${kind}`);
  } catch (error) {
    await server.stop();
    throw error;
  }
  let pulls = 0;
  return {
    async pull() {
      const dest = `${image.dir}-pull-${kind}-${++pulls}`;
      try {
        const seconds = await skopeo(['--src-tls-verify=false', '--src-no-creds', ref, `oci:${dest}:${image.tag}`], `skopeo pull from ${kind}`);
        log(`  skopeo pull ${image.layers} layers ← ${kind}: ${seconds.toFixed(2)} s`);
        return seconds;
      } finally {
        await rm(dest, { recursive: true, force: true });
      }
    },
    stop: () => server.stop(),
  };
}
