// Fallback load generator when wrk is not installed: `connections` keep-alive loops, each issuing one GET
// at a time until `seconds` have passed. Runs in its own process; prints one JSON line like wrk-manifest.lua.
import { Agent, get } from 'node:http';
import { parseArgs } from 'node:util';

const { values } = parseArgs({
  options: { url: { type: 'string' }, accept: { type: 'string' }, connections: { type: 'string' }, seconds: { type: 'string' } },
});
const connections = Number(values.connections);
const agent = new Agent({ keepAlive: true, maxSockets: connections });
const deadline = performance.now() + Number(values.seconds) * 1000;
const started = performance.now();
let requests = 0;
let bytes = 0;
let status = 0;

function once() {
  return new Promise((resolve, reject) => {
    get(values.url, { agent, headers: { Accept: values.accept } }, (res) => {
      if (res.statusCode !== 200) status++;
      res.on('data', (chunk) => (bytes += chunk.length));
      res.on('end', resolve);
    }).on('error', reject);
  });
}

async function loop() {
  while (performance.now() < deadline) {
    await once();
    requests++;
  }
}

await Promise.all(Array.from({ length: connections }, loop));
const summary = { requests, duration_us: Math.round((performance.now() - started) * 1000), bytes, errors: { status } };
process.stdout.write(`BENCH_JSON ${JSON.stringify(summary)}\n`);
agent.destroy();
