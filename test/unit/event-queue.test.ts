import { describe, expect, test, vi } from 'vitest';
import { EventQueue, mapUntil } from '../../src/graphql/event-queue.js';

type Event = { key: string; n: number; kind?: string };

function queue(capacity = 3, onClose = () => {}) {
  return new EventQueue<Event>({
    capacity,
    keyOf: (event) => event.key,
    merge: (older, newer) => ({ ...newer, kind: older.kind === 'first' ? 'first' : newer.kind }),
    onClose,
  });
}

const drain = async (events: EventQueue<Event>) => {
  const taken: Event[] = [];
  while (events.size > 0) taken.push((await events.next()).value!);
  return taken;
};

describe('EventQueue', () => {
  test('a waiting reader gets the event at once', async () => {
    const events = queue();
    const next = events.next();
    events.push({ key: 'a', n: 1 });
    expect(await next).toEqual({ value: { key: 'a', n: 1 }, done: false });
  });

  test('an event for a key already waiting replaces it, merged, at the end', async () => {
    const events = queue();
    events.push({ key: 'a', n: 1, kind: 'first' });
    events.push({ key: 'b', n: 2 });
    events.push({ key: 'a', n: 3, kind: 'later' });
    expect(await drain(events)).toEqual([
      { key: 'b', n: 2 },
      { key: 'a', n: 3, kind: 'first' },
    ]);
  });

  test('a slow reader holds at most `capacity` events: the oldest go first', async () => {
    const events = queue(3);
    for (let n = 0; n < 1_000; n++) events.push({ key: `k${n}`, n });
    expect(events.size).toBe(3);
    expect((await drain(events)).map((event) => event.n)).toEqual([997, 998, 999]);
  });

  test('closing ends a waiting reader, drops what is pending, ignores later events and reports once', async () => {
    const onClose = vi.fn();
    const events = queue(3, onClose);
    const waiting = events.next();
    await events.return();
    await events.return();
    events.push({ key: 'a', n: 1 });
    expect(await waiting).toEqual({ value: undefined, done: true });
    expect(await events.next()).toEqual({ value: undefined, done: true });
    expect(onClose).toHaveBeenCalledTimes(1);
  });
});

describe('mapUntil', () => {
  test('returning before the first read still closes the source', async () => {
    const onClose = vi.fn();
    const mapped = mapUntil(queue(3, onClose), async (event) => event.n);
    await mapped.return!();
    expect(onClose).toHaveBeenCalledTimes(1);
  });

  test('ends, closing the source, when the step answers undefined or throws', async () => {
    const onClose = vi.fn();
    const source = queue(3, onClose);
    source.push({ key: 'a', n: 1 });
    source.push({ key: 'b', n: 2 });
    const mapped = mapUntil(source, async (event) => (event.n === 1 ? 'one' : undefined));
    expect(await mapped.next()).toEqual({ value: 'one', done: false });
    expect(await mapped.next()).toEqual({ value: undefined, done: true });
    expect(onClose).toHaveBeenCalledTimes(1);

    const failing = queue(3, onClose);
    failing.push({ key: 'a', n: 1 });
    await expect(
      mapUntil(failing, async () => {
        throw new Error('database down');
      }).next(),
    ).rejects.toThrow('database down');
    expect(onClose).toHaveBeenCalledTimes(2);
  });
});
