// (i) skopeo push of many small layers, measured four ways in one alternating loop so that a burst of
// load on the machine hits all of them alike: skopeo's copy of the same OCI layout to a fresh local
// layout (the client's own limit, skopeo-local.mjs), the push to cargohold, to the baseline and to the
// null registry (null-registry.mjs: the client's limit over HTTP).
// skopeo pushes the layers of this image one after another (HEAD, HEAD, POST, PATCH, PUT each: see the
// README's profile), so the row measures per-request latency, not throughput.
import { skopeoLocalCopy } from './skopeo-local.mjs';
import { lowest, row } from './report.mjs';
import { clientLimitRows, skopeoPush } from './skopeo.mjs';

/** Returns `{ local: [s…], null: [s…], cargohold: [s…], baseline: [s…] }`, one figure per run and kind. */
export async function smallPush(tmp, image, targets, runs, log) {
  const results = { local: [], null: [], ...Object.fromEntries(targets.map((kind) => [kind, []])) };
  for (let run = 1; run <= runs; run++) {
    const [local] = await skopeoLocalCopy(image, 1);
    log(`  skopeo ${image.layers} layers → local OCI layout: ${local.toFixed(2)} s`);
    results.local.push(local);
    for (const kind of targets) results[kind].push(await skopeoPush(kind, tmp, image, `small-${run}`, log));
    results.null.push(await skopeoPush('null', tmp, image, `small-${run}`, log));
  }
  return results;
}

/** Best of the runs against the client's limits (goal: ≥ 0.6 of the local copy) and against the baseline. */
export function smallPushRows(raw, { count, size }, runs) {
  const name = `skopeo push ${count} × ${size / 1024} KiB layers`;
  const rows = raw.cargohold ? clientLimitRows(raw, name, runs, 0.6) : [];
  rows.push(
    row({
      name: `${name}, best of ${runs}, vs the baseline`,
      unit: 's',
      better: 'lower',
      digits: 2,
      cargohold: lowest(raw.cargohold),
      reference: lowest(raw.baseline),
      target: { op: '>=', value: 2.5 },
    }),
  );
  return rows;
}
