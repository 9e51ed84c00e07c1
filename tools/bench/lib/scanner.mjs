// Scanner throughput: the scanning engine (libs/scanning, bundled on the fly like the e2e builders) over
// one gzip layer, in MB/s of compressed layer, next to plain gunzip of the same layer. The layer is a
// realistic mix: many small files (what dominates tar parsing) plus random payload, and a dpkg status.
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import { Writable } from 'node:stream';
import { randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { createGzip } from 'node:zlib';
import tarStream from 'tar-stream';
import { bundleAndImport } from './bundle.mjs';

async function scanningEngine() {
  return bundleAndImport('scanning', 'libs/scanning/src/index.ts', { requireShim: true });
}

/** Writes a gzip layer with `files` files of `fileSize` random bytes each, plus os-release and a dpkg status. */
async function writeLayer(path, { files, fileSize }) {
  const archive = tarStream.pack();
  const done = pipeline(archive, createGzip({ level: 6 }), createWriteStream(path));
  const entry = (name, content) => new Promise((ok, fail) => archive.entry({ name }, content, (error) => (error ? fail(error) : ok())));
  await entry('etc/os-release', 'ID=debian\nVERSION_ID="12"\nVERSION_CODENAME=bookworm\n');
  await entry('var/lib/dpkg/status', 'Package: libssl3\nStatus: install ok installed\nSource: openssl\nVersion: 3.0.11-1~deb12u2\n\n');
  for (let i = 0; i < files; i++) await entry(`usr/share/data/${i % 100}/file-${i}.bin`, randomBytes(fileSize));
  archive.finalize();
  await done;
  return (await stat(path)).size;
}

const timed = async (fn) => {
  const start = performance.now();
  await fn();
  return (performance.now() - start) / 1000;
};

export async function scannerThroughput(tmp, { files, fileSize, runs }, log) {
  const engine = await scanningEngine();
  const layer = join(tmp, 'scan-layer.tar.gz');
  const bytes = await writeLayer(layer, { files, fileSize });
  log(`scanner: layer of ${(bytes / 1e6).toFixed(1)} MB compressed, ${files} files`);
  const index = new engine.InMemoryVulnerabilityIndex([]);
  const gunzipSeconds = [];
  const scanSeconds = [];
  for (let run = 0; run < runs; run++) {
    gunzipSeconds.push(await timed(() => pipeline(createReadStream(layer), createGunzip(), new Writable({ write: (_c, _e, cb) => cb() }))));
    scanSeconds.push(
      await timed(async () => {
        const result = await engine.scanImage({
          layers: [{ mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', open: async () => createReadStream(layer) }],
          vulnerabilities: index,
        });
        if (result.status !== 'COMPLETE') throw new Error(`scan ended ${result.status}: ${result.reason}`);
      }),
    );
  }
  const best = (list) => Math.min(...list);
  return { compressedBytes: bytes, files, scanMBps: bytes / 1e6 / best(scanSeconds), gunzipMBps: bytes / 1e6 / best(gunzipSeconds) };
}
