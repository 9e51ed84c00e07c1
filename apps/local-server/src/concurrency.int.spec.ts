import type { ECRClient } from '@aws-sdk/client-ecr';
import { BACKENDS, type BackendServer } from './testing/concurrency/backends';
import { closureViolations } from './testing/concurrency/invariants';
import { Prng, runSeed } from './testing/concurrency/prng';
import { ROUNDS } from './testing/concurrency/rounds';
import { ecrClient, loginPassword } from './testing/ecr-client';
import { RegistryClient } from './testing/registry-client';

/**
 * Concurrent clients against `cargohold serve` over HTTP, on each backend: every round races requests
 * (payloads, counts and start delays from a seeded PRNG), then checks invariant 3 over the wire. A failure
 * names `seed=… round=…`; `CONCURRENCY_SEED=<seed>` replays the same inputs (round r.i is iteration i of
 * round r, drawn from seed + 1000 r + i).
 */
jest.setTimeout(60_000);

const SEED = runSeed();
/** Runs of each round per backend; CONCURRENCY_ITERATIONS raises it for a soak run. */
const ITERATIONS = Number(process.env['CONCURRENCY_ITERATIONS'] ?? 2);

describe.each(BACKENDS)('concurrency on the $name backend', (backend) => {
  let server: BackendServer;
  let ecr: ECRClient;
  let v2: RegistryClient;

  beforeAll(async () => {
    server = await backend.start();
    ecr = ecrClient(server.url);
    v2 = new RegistryClient(server.url).withToken(await loginPassword(ecr));
  });

  afterAll(async () => {
    ecr?.destroy();
    await server?.stop();
  });

  ROUNDS.forEach((round, index) => {
    it(round.name, async () => {
      for (let iteration = 0; iteration < ITERATIONS; iteration++) {
        const where = `seed=${SEED} round=${index}.${iteration} backend=${backend.name}`;
        const session = { v2, ecr, rng: new Prng(SEED + index * 1000 + iteration), repo: `race/round-${index}/iteration-${iteration}` };
        try {
          const { acknowledged } = await round.run(session);
          const violations = await closureViolations(v2, ecr, session.repo, acknowledged);
          if (violations.length > 0) throw new Error(`invariant 3 broken:\n  ${violations.join('\n  ')}`);
        } catch (error) {
          throw new Error(`${where} (${round.name}): ${(error as Error).message}`, { cause: error });
        }
      }
    });
  });
});
