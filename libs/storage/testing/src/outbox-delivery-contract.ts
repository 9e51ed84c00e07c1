import type { OutboxEntry } from '@cargohold/storage-ports';
import { at, digestFor, repoRef, T0 } from './metadata-fixture';
import { pushedEvent, stamped, type OutboxFixture } from './outbox-fixture';
import { dueNow } from './outbox-recording-contract';

const app = repoRef('app');
const events = [1, 2, 3].map((n) => pushedEvent(n, app, digestFor(`m${n}`)));
const [first, second, third] = events.map((event, i) => stamped(event, i + 1));

/** An entry that never failed, as `due` returns it on its `lease`-th lease (each lease counts an attempt). */
const fresh = (entry: OutboxEntry | undefined, lease: number) => ({ seq: entry?.seq, event: entry?.event, attempts: lease });

/** Delivery: leasing, delivered, retry and dead letters, driven by explicit clock values. */
export function describeOutboxDeliverySpec(fixture: () => OutboxFixture): void {
  describe('delivery (three events appended)', () => {
    beforeEach(async () => {
      await fixture().outbox.append(events);
    });

    describe('due', () => {
      it('returns due entries by seq, at most limit, and leases them until now + leaseMs', async () => {
        const { outbox } = fixture();

        const batch = await outbox.due(T0, 2, 30_000);
        const rest = await outbox.due(T0, 10, 30_000);

        expect(batch.map((entry) => entry.event)).toEqual([first, second]);
        expect(rest.map((entry) => entry.event)).toEqual([third]);
        expect(await outbox.due(at(29.999), 10, 30_000)).toEqual([]);
        const again = await outbox.due(at(30), 10, 30_000);
        expect(again).toEqual([...batch, ...rest].map((entry) => fresh(entry, 2)));
        expect(batch.map((entry) => entry.attempts)).toEqual([1, 1]);
        expect(await outbox.due(at(45), 10, 30_000)).toEqual([]);
      });

      it('returns nothing for limit 0 and leases nothing', async () => {
        const { outbox } = fixture();
        expect(await outbox.due(T0, 0, 30_000)).toEqual([]);
        expect(await outbox.due(T0, 10, 30_000)).toHaveLength(3);
      });
    });

    describe('releaseAll', () => {
      it('makes leased and waiting entries due now, and leaves due ones alone', async () => {
        const { outbox } = fixture();
        const [a, b] = await outbox.due(T0, 2, 60_000);
        await outbox.retry(b?.seq ?? -1, 'boom', at(600));

        expect(await outbox.releaseAll(at(1))).toBe(2);

        const due = await outbox.due(at(1), 10, 60_000);
        expect(due.map((entry) => entry.seq)).toEqual([a?.seq, b?.seq, expect.any(Number)]);
        expect(due[1]?.attempts).toBe(2);
        expect(await outbox.releaseAll(at(1))).toBe(3);
      });
    });

    describe('delivered', () => {
      it('removes the entry for good, idempotently', async () => {
        const { outbox } = fixture();
        const [a, b, c] = await dueNow(outbox);

        await outbox.delivered(a?.seq ?? -1);
        await outbox.delivered(a?.seq ?? -1);
        await outbox.delivered(c?.seq ?? -1);
        await outbox.delivered(987_654);

        expect(await outbox.due(at(3600), 10, 1000)).toEqual([fresh(b, 2)]);
        expect(await outbox.deadLetters(10)).toEqual([]);
      });
    });

    describe('retry', () => {
      it('keeps the error and makes the entry due again at the given time (the lease counted the attempt)', async () => {
        const { outbox } = fixture();
        const [a] = await dueNow(outbox);
        const seq = a?.seq ?? -1;

        await outbox.retry(seq, 'connect ECONNREFUSED', at(10));
        expect(await outbox.due(at(9), 10, 60_000)).toEqual([]);
        expect(await outbox.due(at(10), 1, 60_000)).toEqual([{ seq, event: first, attempts: 2, lastError: 'connect ECONNREFUSED' }]);

        await outbox.retry(seq, 'HTTP 503', at(20));
        expect(await outbox.due(at(20), 1, 60_000)).toEqual([{ seq, event: first, attempts: 3, lastError: 'HTTP 503' }]);
      });

      it('ignores an unknown seq', async () => {
        const { outbox } = fixture();
        await outbox.retry(987_654, 'boom', T0);
        expect((await dueNow(outbox)).map((entry) => entry.attempts)).toEqual([1, 1, 1]);
      });
    });

    describe('deadLetter', () => {
      it('moves the entry out of due into the dead letters, listed oldest first', async () => {
        const { outbox } = fixture();
        const [a, b, c] = await dueNow(outbox);
        await outbox.retry(b?.seq ?? -1, 'HTTP 500', at(1));

        await outbox.deadLetter(b?.seq ?? -1, 'HTTP 500 again', at(5));
        await outbox.deadLetter(a?.seq ?? -1, 'unparseable', at(7));

        expect(await outbox.due(at(3600), 10, 1000)).toEqual([fresh(c, 2)]);
        // attempts are the leases each entry had
        const letters = [
          { seq: b?.seq, event: second, attempts: 1, error: 'HTTP 500 again', at: at(5) },
          { seq: a?.seq, event: first, attempts: 1, error: 'unparseable', at: at(7) },
        ];
        expect(await outbox.deadLetters(10)).toEqual(letters);
        expect(await outbox.deadLetters(1)).toEqual(letters.slice(0, 1));
        expect(await outbox.deadLetters(0)).toEqual([]);
      });

      it('never delivers a dead letter again, whatever is called on its seq afterwards', async () => {
        const { outbox } = fixture();
        const [a] = await dueNow(outbox);
        const seq = a?.seq ?? -1;
        await outbox.deadLetter(seq, 'poison', at(1));

        await outbox.retry(seq, 'late retry', at(2));
        await outbox.deadLetter(seq, 'twice', at(3));
        await outbox.delivered(seq);

        expect((await outbox.due(at(3600), 10, 1000)).map((entry) => entry.event)).toEqual([second, third]);
        expect(await outbox.deadLetters(10)).toEqual([{ seq, event: first, attempts: 1, error: 'poison', at: at(1) }]);
      });
    });
  });
}
