// (a) skopeo push wall time. Every run gets a fresh server: skopeo's blob-info cache
// (/var/lib/containers/cache for root) remembers where it pushed a blob and would cross-repo mount it
// on the next run against the same server, timing a mount instead of an upload.
import { runCommand } from './proc.mjs';
import { withServer } from './servers.mjs';

export async function skopeoPush(kind, tmp, image, run, log) {
  return withServer(kind, tmp, async (server) => {
    const dest = `docker://${server.host}/bench/push-${run}:${image.tag}`;
    const args = ['--insecure-policy', 'copy', '--quiet', '--dest-tls-verify=false', '--dest-no-creds', `oci:${image.dir}:${image.tag}`, dest];
    const result = await runCommand('skopeo', args, { timeoutMs: 15 * 60_000 });
    if (result.code !== 0) throw new Error(`skopeo copy to ${kind} failed (${result.code ?? result.signal}):\n${result.output}`);
    log(`  skopeo ${image.layers} layers → ${kind}: ${(result.ms / 1000).toFixed(2)} s`);
    return result.ms / 1000;
  });
}
