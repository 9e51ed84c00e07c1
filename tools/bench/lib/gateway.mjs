// (f) a 1 GiB push through the upload gateway (`cargohold serve --backend aws --role upload-gateway`: S3
// multipart staging on s3rver, sessions in DynamoDB Local), as docker pushes a layer: POST on the front
// (which answers a Location on the gateway), one streamed PATCH without Content-Length (chunked) and
// PUT ?digest= on the gateway. The reference is a raw S3 multipart upload of the same file
// to the same s3rver by @aws-sdk/client-s3, as a careful client does it: 5 MiB parts (S3's minimum,
// and what the gateway's part schedule cuts below 10,000 MiB) with 4 parts in flight (the defaults of
// @aws-sdk/lib-storage's Upload), no hashing. The gateway's RSS is sampled from /proc during the push.
import { createReadStream, readFileSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { CompleteMultipartUploadCommand, CreateMultipartUploadCommand, DeleteObjectCommand, ListObjectsV2Command, UploadPartCommand } from '@aws-sdk/client-s3';
import { sampleRss } from './monolithic.mjs';
import { sleep } from './proc.mjs';
import { http, keepAlive } from './registry-http.mjs';
import { startGateway } from './servers.mjs';

const MB = 1e6;
const MiB = 2 ** 20;
/** The raw reference: lib-storage's defaults (partSize 5 MiB, queueSize 4). */
export const RAW_PART_SIZE = 5 * MiB;
export const RAW_IN_FLIGHT = 4;

/** CPU seconds (user + system) a process has used so far, from /proc (clock ticks of 10 ms). */
function cpuSeconds(pid) {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

function expectStatus(response, status, what) {
  if (response.status !== status) throw new Error(`${what}: expected ${status}, got ${response.status}: ${response.body.toString().slice(0, 300)}`);
  return response;
}

/**
 * POST on the front, then on the gateway at the Location it answered (capability included) one streamed
 * PATCH of the whole file and PUT ?digest= (no body); answers the seconds each took.
 */
async function pushLayer(server, repo, blob, agent) {
  const t0 = performance.now();
  const opened = expectStatus(await http(`${server.front}/v2/${repo}/blobs/uploads/`, { method: 'POST', headers: { 'Content-Length': 0 } }), 202, 'POST');
  const t1 = performance.now();
  const body = () => createReadStream(blob.path, { highWaterMark: 256 << 10 });
  const base = server.url;
  const patch = new URL(opened.headers.location, base);
  if (patch.origin !== base) throw new Error(`POST answered a Location off the gateway: ${patch}`);
  const patched = expectStatus(await http(patch, { method: 'PATCH', headers: { 'Content-Type': 'application/octet-stream' }, body, agent }), 202, 'PATCH');
  const t2 = performance.now();
  const put = new URL(patched.headers.location, base);
  put.searchParams.set('digest', blob.digest);
  expectStatus(await http(put, { method: 'PUT', headers: { 'Content-Length': 0 }, agent }), 201, 'PUT');
  const t3 = performance.now();
  return { postSeconds: (t1 - t0) / 1000, patchSeconds: (t2 - t1) / 1000, putSeconds: (t3 - t2) / 1000 };
}

/** One push through a fresh gateway (and front) over the shared emulators; its blob is deleted afterwards. */
export async function gatewayRun(tmp, emulators, blob, run, log) {
  const server = await startGateway(tmp, emulators);
  try {
    const agent = keepAlive(1);
    await sleep(300); // let startup garbage settle before taking the idle RSS
    const stopSampling = sampleRss(server.pid);
    const cpuBefore = [cpuSeconds(server.pid), cpuSeconds(emulators.s3Pid)];
    const started = performance.now();
    const phases = await pushLayer(server, `bench/gateway-${run}`, blob, agent);
    const seconds = (performance.now() - started) / 1000;
    const rss = stopSampling();
    const [gatewayCpu, s3rverCpu] = [cpuSeconds(server.pid) - cpuBefore[0], cpuSeconds(emulators.s3Pid) - cpuBefore[1]];
    agent.destroy();
    const head = await http(`${server.front}/v2/bench/gateway-${run}/blobs/${blob.digest}`, { method: 'HEAD' });
    if (head.status !== 200 || Number(head.headers['content-length']) !== blob.size) throw new Error(`gateway: blob HEAD answered ${head.status}`);
    const result = { seconds, MBps: blob.size / MB / seconds, ...phases, gatewayCpu, s3rverCpu, rss };
    const timing = `PATCH ${phases.patchSeconds.toFixed(1)} s, PUT ${phases.putSeconds.toFixed(1)} s; CPU gateway ${gatewayCpu.toFixed(1)} s, s3rver ${s3rverCpu.toFixed(1)} s`;
    log(
      `  ${blob.size / MiB} MiB → gateway: ${result.MBps.toFixed(0)} MB/s (${timing}), RSS +${(rss.growth / MiB).toFixed(1)} MiB (idle ${(rss.idle / MiB).toFixed(0)} MiB)`,
    );
    return result;
  } finally {
    await server.stop();
    await emptyBucket(emulators);
  }
}

/**
 * Deletes every object in the bench's bucket: what a push left there (the blob, and where the adapter's
 * layout keeps its bytes) is the adapter's business, so the bench does not spell out its keys.
 */
async function emptyBucket({ s3, bucket }) {
  let token;
  do {
    const page = await s3.send(new ListObjectsV2Command({ Bucket: bucket, ContinuationToken: token }));
    for (const object of page.Contents ?? []) await s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: object.Key }));
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token);
}

/** The raw reference: CreateMultipartUpload, UploadPart × N (RAW_IN_FLIGHT at a time, read from the file), Complete. */
export async function rawRun(emulators, blob, run, log) {
  const { s3, bucket } = emulators;
  const key = `raw/run-${run}`;
  const started = performance.now();
  const s3rverBefore = cpuSeconds(emulators.s3Pid);
  const { UploadId } = await s3.send(new CreateMultipartUploadCommand({ Bucket: bucket, Key: key }));
  const count = Math.max(1, Math.ceil(blob.size / RAW_PART_SIZE));
  const parts = new Array(count);
  const file = await open(blob.path);
  let next = 0;
  const worker = async () => {
    while (next < count) {
      const index = next++;
      const length = Math.min(RAW_PART_SIZE, blob.size - index * RAW_PART_SIZE);
      const bytes = Buffer.allocUnsafe(length);
      await file.read(bytes, 0, length, index * RAW_PART_SIZE);
      const sent = await s3.send(new UploadPartCommand({ Bucket: bucket, Key: key, UploadId, PartNumber: index + 1, Body: bytes, ContentLength: length }));
      parts[index] = { PartNumber: index + 1, ETag: sent.ETag };
    }
  };
  let partsSeconds;
  try {
    await Promise.all(Array.from({ length: RAW_IN_FLIGHT }, worker));
    partsSeconds = (performance.now() - started) / 1000;
    await s3.send(new CompleteMultipartUploadCommand({ Bucket: bucket, Key: key, UploadId, MultipartUpload: { Parts: parts } }));
  } finally {
    await file.close();
  }
  const seconds = (performance.now() - started) / 1000;
  const s3rverCpu = cpuSeconds(emulators.s3Pid) - s3rverBefore;
  await s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: key }));
  const result = { seconds, MBps: blob.size / MB / seconds, partsSeconds, completeSeconds: seconds - partsSeconds, s3rverCpu };
  const timing = `parts ${partsSeconds.toFixed(1)} s, complete ${result.completeSeconds.toFixed(1)} s; CPU s3rver ${s3rverCpu.toFixed(1)} s`;
  log(`  ${blob.size / MiB} MiB → raw S3 multipart (${RAW_PART_SIZE / MiB} MiB × ${RAW_IN_FLIGHT} in flight): ${result.MBps.toFixed(0)} MB/s (${timing})`);
  return result;
}
