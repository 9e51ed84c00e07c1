// (a) skopeo push wall time. Every run gets a fresh server: skopeo's blob-info cache
// (/var/lib/containers/cache for root) remembers where it pushed a blob and would cross-repo mount it
// on the next run against the same server, timing a mount instead of an upload.
import { runCommand } from './proc.mjs';
import { lowest, row } from './report.mjs';
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

/**
 * Rows placing a push between the client's two limits: skopeo's copy to a local OCI layout (no network,
 * no registry: the goals) and a push to the null registry (null-registry.mjs: the same HTTP
 * exchange answered at once, nothing stored). The ceiling row puts the null registry in the cargohold
 * column against the local copy with the same goal, so it shows whether any registry could meet it.
 * `raw` holds seconds per run: `{ cargohold, local, null }`.
 */
export function clientLimitRows(raw, name, runs, goal) {
  const base = { unit: 's', better: 'lower', digits: 2 };
  return [
    row({
      ...base,
      name: `${name} vs skopeo's local OCI copy, best of ${runs}`,
      cargohold: lowest(raw.cargohold),
      reference: lowest(raw.local),
      referenceName: 'local copy',
      target: { op: '>=', value: goal },
    }),
    row({
      ...base,
      name: `${name} vs the null registry (answers at once, stores nothing), best of ${runs}`,
      cargohold: lowest(raw.cargohold),
      reference: lowest(raw.null),
      referenceName: 'null registry',
    }),
    row({
      ...base,
      name: `ceiling: ${name} to the null registry (its time in the cargohold column) vs skopeo's local OCI copy, best of ${runs}`,
      cargohold: lowest(raw.null),
      reference: lowest(raw.local),
      referenceName: 'local copy',
      target: { op: '>=', value: goal },
    }),
  ];
}
