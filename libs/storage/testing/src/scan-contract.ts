import { newEvent, type RegistryEvent } from '@cargohold/events';
import type { OutboxStore, ScanFinding, ScanRecord, ScanStore } from '@cargohold/storage-ports';
import { at, digestFor, OTHER_REGISTRY, repoRef, T0 } from './metadata-fixture';

/** A fresh, empty ScanStore for one test. */
export interface ScanFixture {
  readonly scans: ScanStore;
  /**
   * The events the store's writes recorded for publication since the last call, oldest first: what its
   * outbox hands the dispatcher, or what its change feed hands the stream forwarder.
   */
  recordedEvents(): Promise<RegistryEvent[]>;
  cleanup(): Promise<void>;
}

export type MakeScans = () => Promise<ScanFixture>;

/** `recordedEvents` of a store that records into an outbox: the entries due since the last call (leased). */
export function outboxRecordedEvents(outbox: OutboxStore): () => Promise<RegistryEvent[]> {
  const FAR_FUTURE = new Date('2100-01-01T00:00:00Z');
  return async () => (await outbox.due(FAR_FUTURE, 1000, 1e12)).map((entry) => entry.event);
}

const app = repoRef('app');
const image = digestFor('image');

/** What `start` records: IN_PROGRESS since `startedAt`, no results. */
const inProgress = (startedAt: Date): ScanRecord => ({ status: 'IN_PROGRESS', startedAt, findings: [], severityCounts: {} });

const finding = (n: number, severity: ScanFinding['severity'] = 'HIGH'): ScanFinding => ({
  name: `CVE-2024-${String(n).padStart(5, '0')}`,
  description: `finding ${n}: héllo ☕ \u2028 "quoted"`,
  uri: `https://osv.dev/vulnerability/CVE-2024-${n}`,
  severity,
  attributes: [
    { key: 'package_name', value: `pkg-${n}` },
    { key: 'package_version', value: `1.${n}.0` },
  ],
});

/** A COMPLETE scan started at `startedAt`, with findings in a deliberately unsorted order. */
const complete = (startedAt: Date): ScanRecord => ({
  status: 'COMPLETE',
  description: 'The scan was completed successfully.',
  startedAt,
  completedAt: new Date(startedAt.getTime() + 1_234),
  vulnerabilitySourceUpdatedAt: new Date('2024-12-31T23:59:59.999Z'),
  findings: [finding(3, 'LOW'), finding(1, 'CRITICAL'), { name: 'GHSA-xxxx', severity: 'UNDEFINED', attributes: [] }, finding(2)],
  severityCounts: { LOW: 1, CRITICAL: 1, UNDEFINED: 1, HIGH: 1 },
});

/**
 * The contract of ScanStore that every adapter runs: `start` claims a scan (first, abandoned, or requested
 * after the last one started) and refuses duplicates; `finish` stores the terminal record as given; the
 * events of a write are recorded with it, and only when it happened.
 */
export function describeScanStoreContract(name: string, make: MakeScans): void {
  describe(`${name} (scan store contract)`, () => {
    let current: ScanFixture | undefined;
    const fixture = (): ScanFixture => {
      if (!current) throw new Error('scan fixture used outside a test');
      return current;
    };
    const scans = (): ScanStore => fixture().scans;
    /** Type and id of each recorded event: the outbox stamps versions, a change feed does not. */
    const recorded = async () => (await fixture().recordedEvents()).map((event) => [event.type, event.id]);
    beforeEach(async () => {
      current = await make();
    });
    afterEach(async () => {
      await current?.cleanup();
      current = undefined;
    });

    /** The image scanned once: started at T0, finished COMPLETE. */
    async function scanned(): Promise<ScanRecord> {
      await scans().start(app, image, T0, T0);
      await scans().finish(app, image, complete(T0));
      return complete(T0);
    }

    describe('get', () => {
      it('answers undefined for an image never scanned', async () => {
        expect(await scans().get(app, image)).toBeUndefined();
      });
    });

    describe('summaries', () => {
      it('answers the scans of the images asked for, without findings, leaving out those never scanned', async () => {
        const { findings: _findings, ...summary } = await scanned();
        const other = digestFor('other');
        await scans().start(app, other, at(9), at(9));
        await scans().start(repoRef('elsewhere'), digestFor('elsewhere'), at(9), at(9));

        const found = await scans().summaries(app, [image, digestFor('never'), other, digestFor('elsewhere')]);
        expect(Object.fromEntries(found)).toEqual({ [image]: summary, [other]: { status: 'IN_PROGRESS', startedAt: at(9), severityCounts: {} } });
        expect((await scans().summaries(app, [])).size).toBe(0);
      });
    });

    describe('start', () => {
      it('records IN_PROGRESS, and answers true, when the image has no scan', async () => {
        expect(await scans().start(app, image, at(5), at(5))).toBe(true);
        expect(await scans().get(app, image)).toStrictEqual(inProgress(at(5)));
      });

      it('takes over a scan still IN_PROGRESS (its worker died), whatever notBefore says', async () => {
        await scans().start(app, image, T0, T0);
        expect(await scans().start(app, image, at(60), T0)).toBe(true);
        expect(await scans().get(app, image)).toStrictEqual(inProgress(at(60)));
      });

      it.each(['COMPLETE', 'FAILED', 'UNSUPPORTED_IMAGE'] as const)(
        'restarts a %s scan that started before notBefore, dropping its results',
        async (status) => {
          await scans().start(app, image, T0, T0);
          await scans().finish(app, image, { ...complete(T0), status });
          expect(await scans().start(app, image, at(60), at(30))).toBe(true);
          expect(await scans().get(app, image)).toStrictEqual(inProgress(at(60)));
        },
      );

      it.each(['COMPLETE', 'FAILED', 'UNSUPPORTED_IMAGE'] as const)(
        'changes nothing and answers false for a %s scan started at or after notBefore (a duplicate event)',
        async (status) => {
          await scans().start(app, image, T0, T0);
          const finished = { ...complete(T0), status };
          await scans().finish(app, image, finished);

          expect(await scans().start(app, image, at(60), T0)).toBe(false);
          expect(await scans().start(app, image, at(60), new Date(T0.getTime() - 1))).toBe(false);

          expect(await scans().get(app, image)).toEqual(finished);
        },
      );

      it('compares notBefore to the millisecond', async () => {
        await scanned();
        expect(await scans().start(app, image, at(60), new Date(T0.getTime() + 1))).toBe(true);
      });

      it('answers true to every one of concurrent starts of a new scan and leaves one IN_PROGRESS record', async () => {
        const answers = await Promise.all([1, 2, 3, 4, 5].map((n) => scans().start(app, image, at(n), T0)));
        expect(answers).toEqual([true, true, true, true, true]);
        expect((await scans().get(app, image))?.status).toBe('IN_PROGRESS');
      });
    });

    describe('finish', () => {
      it('replaces the IN_PROGRESS record with the terminal one, exactly as given', async () => {
        const record = await scanned();
        expect(await scans().get(app, image)).toStrictEqual(record);
      });

      it('keeps findings in the order given and severity counts as given', async () => {
        await scanned();
        const stored = await scans().get(app, image);
        expect(stored?.findings.map((f) => f.name)).toEqual(['CVE-2024-00003', 'CVE-2024-00001', 'GHSA-xxxx', 'CVE-2024-00002']);
        expect(stored?.severityCounts).toStrictEqual({ LOW: 1, CRITICAL: 1, UNDEFINED: 1, HIGH: 1 });
      });

      it('round-trips every date to the millisecond', async () => {
        const startedAt = new Date('2025-02-03T04:05:06.789Z');
        const record: ScanRecord = {
          ...complete(startedAt),
          completedAt: new Date('2025-02-03T04:05:07.001Z'),
          vulnerabilitySourceUpdatedAt: new Date('1999-12-31T23:59:59.123Z'),
        };
        await scans().start(app, image, startedAt, startedAt);
        await scans().finish(app, image, record);

        const stored = await scans().get(app, image);
        expect(stored?.startedAt).toEqual(record.startedAt);
        expect(stored?.completedAt).toEqual(record.completedAt);
        expect(stored?.vulnerabilitySourceUpdatedAt).toEqual(record.vulnerabilitySourceUpdatedAt);
      });

      it('stores a FAILED scan with its reason and no optional fields it was not given', async () => {
        const failed: ScanRecord = {
          status: 'FAILED',
          description: 'layer sha256:… could not be read',
          startedAt: T0,
          findings: [],
          severityCounts: {},
        };
        await scans().start(app, image, T0, T0);
        await scans().finish(app, image, failed);
        expect(await scans().get(app, image)).toStrictEqual(failed);
      });

      it('round-trips a large findings list (2,000 findings) in order', async () => {
        const findings = Array.from({ length: 2_000 }, (_, i) => finding(2_000 - i, i % 2 === 0 ? 'MEDIUM' : 'LOW'));
        const record: ScanRecord = { ...complete(T0), findings, severityCounts: { MEDIUM: 1_000, LOW: 1_000 } };
        await scans().start(app, image, T0, T0);
        await scans().finish(app, image, record);
        expect(await scans().get(app, image)).toStrictEqual(record);
      });

      it('a later finish replaces the earlier one whole', async () => {
        await scanned();
        const rescan: ScanRecord = { ...complete(at(60)), findings: [finding(9)], severityCounts: { HIGH: 1 } };
        await scans().start(app, image, at(60), at(30));
        await scans().finish(app, image, rescan);
        expect(await scans().get(app, image)).toStrictEqual(rescan);
      });

      it('keeps a copy: editing the record given or the one read back changes nothing stored', async () => {
        const record = await scanned();
        const given = complete(T0);
        await scans().finish(app, image, given);
        (given.findings as ScanFinding[]).pop();
        (given.severityCounts as Record<string, number>)['LOW'] = 99;
        const read = await scans().get(app, image);
        (read?.findings as ScanFinding[]).length = 0;
        expect(await scans().get(app, image)).toStrictEqual(record);
      });
    });

    describe('events', () => {
      const requested = (n: number) =>
        newEvent(
          'image.scan-requested',
          { registry: app.registry, repository: app.name, digest: image, reason: 'manual' },
          at(n),
          `00000000-0000-4000-8000-00000000000${n}`,
        );
      const announced = (n: number) =>
        newEvent(
          'image.scanned',
          { registry: app.registry, repository: app.name, digest: image, status: 'COMPLETE', tags: ['v1'], severityCounts: { HIGH: 1 } },
          at(n),
          `00000000-0000-4000-8000-00000000001${n}`,
        );

      it('records the events of a start that claimed the scan, and of its finish, each with its write', async () => {
        expect(await scans().start(app, image, T0, T0, [requested(1)])).toBe(true);
        expect(await recorded()).toEqual([['image.scan-requested', requested(1).id]]);

        await scans().finish(app, image, complete(T0), [announced(2)]);
        expect(await recorded()).toEqual([['image.scanned', announced(2).id]]);
      });

      it('records nothing for a start it refused (a duplicate)', async () => {
        await scanned();
        await recorded();
        expect(await scans().start(app, image, at(60), T0, [requested(3)])).toBe(false);
        expect(await recorded()).toEqual([]);
      });

      it('records nothing for writes given no events, and never repeats earlier ones', async () => {
        await scans().start(app, image, T0, T0, [requested(1)]);
        await recorded();
        // A worker claiming the requested scan, then finishing it without an event.
        expect(await scans().start(app, image, at(5), T0)).toBe(true);
        await scans().finish(app, image, complete(at(5)));
        expect(await recorded()).toEqual([]);
      });
    });

    describe('isolation', () => {
      it('keeps scans of other digests, repositories and registries apart', async () => {
        const otherDigest = { repo: app, digest: digestFor('other-image') };
        const otherRepository = { repo: repoRef('other'), digest: image };
        const otherRegistry = { repo: repoRef('app', OTHER_REGISTRY), digest: image };
        await scanned();

        for (const { repo, digest } of [otherDigest, otherRepository, otherRegistry]) {
          expect(await scans().get(repo, digest)).toBeUndefined();
          expect(await scans().start(repo, digest, at(5), T0)).toBe(true);
        }
        await scans().finish(otherDigest.repo, otherDigest.digest, { ...complete(at(5)), findings: [] });

        expect(await scans().get(app, image)).toStrictEqual(complete(T0));
        expect(await scans().get(otherRepository.repo, image)).toStrictEqual(inProgress(at(5)));
        expect(await scans().get(otherRegistry.repo, image)).toStrictEqual(inProgress(at(5)));
      });

      it('distinguishes names that only differ around a separator', async () => {
        await scans().start(repoRef('a/b'), image, T0, T0);
        expect(await scans().get(repoRef('a'), image)).toBeUndefined();
        expect(await scans().get({ registry: `${app.registry}/a`, name: 'b' }, image)).toBeUndefined();
      });
    });
  });
}
