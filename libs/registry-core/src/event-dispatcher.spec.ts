import { newEvent, type RegistryEvent } from '@cargohold/events';
import { createMemoryStorage } from '@cargohold/storage-memory';
import { EventDispatcher, type EventConsumer } from './event-dispatcher';

const event = (n: number) =>
  newEvent(
    'image.scan-requested',
    { registry: 'r', repository: 'team/app', digest: `sha256:${String(n).repeat(64).slice(0, 64)}`, reason: 'manual' },
    new Date(0),
    `00000000-0000-4000-8000-00000000000${n}`,
  );

describe('EventDispatcher', () => {
  let now = new Date('2026-01-01T00:00:00Z');
  const clock = { now: () => now };
  beforeEach(() => {
    now = new Date('2026-01-01T00:00:00Z');
  });

  it('delivers every due event to every consumer, in order, and removes it', async () => {
    const { outbox } = createMemoryStorage();
    const seen: string[] = [];
    const consumer = (name: string): EventConsumer => ({ name, handle: async (e: RegistryEvent) => void seen.push(`${name}:${e.id.slice(-1)}`) });
    await outbox.append([event(1), event(2)]);
    await new EventDispatcher(outbox, [consumer('a'), consumer('b')], clock).drain();
    expect(seen).toEqual(['a:1', 'b:1', 'a:2', 'b:2']);
    expect(await outbox.due(new Date('2030-01-01T00:00:00Z'), 10, 1)).toEqual([]);
  });

  it('retries a failing event with growing backoff, then dead-letters it', async () => {
    const { outbox } = createMemoryStorage();
    let calls = 0;
    const flaky: EventConsumer = { name: 'flaky', handle: async () => Promise.reject(new Error(`boom ${++calls}`)) };
    const dispatcher = new EventDispatcher(outbox, [flaky], clock, { maxAttempts: 3, baseDelayMs: 1000, maxDelayMs: 60_000 });
    await outbox.append([event(1)]);
    expect(await dispatcher.runOnce()).toBe(1);
    expect(await dispatcher.runOnce()).toBe(0); // backing off
    now = new Date(now.getTime() + 1000);
    expect(await dispatcher.runOnce()).toBe(1);
    now = new Date(now.getTime() + 2000);
    expect(await dispatcher.runOnce()).toBe(1);
    expect(calls).toBe(3);
    expect(await outbox.deadLetters(10)).toEqual([expect.objectContaining({ error: 'boom 3', event: expect.objectContaining({ id: event(1).id }) })]);
    now = new Date(now.getTime() + 3_600_000);
    expect(await dispatcher.runOnce()).toBe(0);
  });

  it('dead-letters an event whose earlier attempts never finished (they crashed the process)', async () => {
    const { outbox } = createMemoryStorage();
    const handled: string[] = [];
    await outbox.append([event(1)]);
    // Three processes leased it and died mid-delivery; each restart released the lease.
    for (let crash = 0; crash < 3; crash++) {
      await outbox.due(now, 10, 60_000);
      await outbox.releaseAll(now);
    }
    const dispatcher = new EventDispatcher(outbox, [{ name: 'c', handle: async (e) => void handled.push(e.id) }], clock, { maxAttempts: 3 });
    await dispatcher.drain();
    expect(handled).toEqual([]);
    expect(await outbox.deadLetters(10)).toEqual([expect.objectContaining({ attempts: 4, error: expect.stringContaining('never finished') })]);
  });
});
