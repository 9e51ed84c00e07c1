import type { OutboxStore } from '@cargohold/storage-ports';
import { at, digestFor, repoRef, T0 } from './metadata-fixture';
import { describeOutboxDeliverySpec } from './outbox-delivery-contract';
import { pushedEvent, stamped, type MakeOutbox, type OutboxContractOptions, type OutboxFixture } from './outbox-fixture';
import { describeOutboxRecordingSpec } from './outbox-recording-contract';

const app = repoRef('app');

/**
 * The contract of OutboxStore, and of the `events` argument of ManifestStore mutations, that every adapter
 * with an outbox runs. `make` returns a fresh, empty store per test; with `reopen` (a durable adapter) the
 * suite, given `restartable`, also proves that entries, counters and leases survive a restart.
 */
export function describeOutboxContract(name: string, make: MakeOutbox, options: OutboxContractOptions = {}): void {
  describe(`${name} (outbox contract)`, () => {
    let current: OutboxFixture | undefined;
    const fixture = (): OutboxFixture => {
      if (!current) throw new Error('outbox fixture used outside a test');
      return current;
    };
    beforeEach(async () => {
      current = await make();
    });
    afterEach(async () => {
      await current?.cleanup();
      current = undefined;
    });

    describeOutboxRecordingSpec(fixture);
    describeOutboxDeliverySpec(fixture);
    describeOutboxRestartSpec(fixture, options);
  });
}

function describeOutboxRestartSpec(fixture: () => OutboxFixture, options: OutboxContractOptions): void {
  const restart = async (): Promise<OutboxStore> => {
    const { reopen } = fixture();
    if (!reopen) throw new Error('a restartable outbox fixture needs reopen');
    return (await reopen()).outbox;
  };
  const events = [1, 2, 3].map((n) => pushedEvent(n, app, digestFor(`m${n}`)));
  const [first, second, third] = events.map((event, i) => stamped(event, i + 1));

  (options.restartable ? describe : describe.skip)('after a restart', () => {
    it('keeps entries, attempts, errors, dead letters and the version counters', async () => {
      const { outbox } = fixture();
      await outbox.append(events);
      const [a, b, c] = await outbox.due(T0, 10, 60_000);
      await outbox.retry(a?.seq ?? -1, 'HTTP 502', T0);
      await outbox.deadLetter(c?.seq ?? -1, 'poison', at(1));

      const reopened = await restart();

      expect(await reopened.due(at(60), 10, 60_000)).toEqual([
        { seq: a?.seq, event: first, attempts: 2, lastError: 'HTTP 502' },
        { seq: b?.seq, event: second, attempts: 2 },
      ]);
      expect(await reopened.deadLetters(10)).toEqual([{ seq: c?.seq, event: third, attempts: 1, error: 'poison', at: at(1) }]);
      const next = pushedEvent(4, app, digestFor('m4'));
      await reopened.append([next]);
      const [entry] = await reopened.due(at(60), 10, 60_000);
      expect(entry?.event).toEqual(stamped(next, 4));
      expect(entry?.seq).toBeGreaterThan(c?.seq ?? Number.POSITIVE_INFINITY);
    });

    it('redelivers what a dead process had leased once the lease ends, not before', async () => {
      const { outbox } = fixture();
      await outbox.append(events);
      const leased = await outbox.due(T0, 2, 30_000);

      const reopened = await restart();

      expect((await reopened.due(at(10), 10, 30_000)).map((entry) => entry.event)).toEqual([third]);
      // The dead process's attempt counts: the redelivery is the second.
      expect(await reopened.due(at(30), 10, 30_000)).toEqual(leased.map((entry) => ({ ...entry, attempts: 2 })));
    });
  });
}
