/**
 * One subscriber's pending events. A subscriber that reads slowly (or has vanished without the
 * connection closing yet) must not make the server hold events without bound, so the queue
 * coalesces: an event for a key already waiting replaces it (`merge` decides the result), since the
 * subscriber reads the data afresh anyway. Past `capacity` distinct keys, the oldest is dropped.
 */
export class EventQueue<Event> implements AsyncIterableIterator<Event> {
  private pending: Event[] = [];
  private waiting: ((result: IteratorResult<Event, undefined>) => void) | null = null;
  private closed = false;

  constructor(
    private readonly options: {
      capacity: number;
      keyOf: (event: Event) => string;
      merge: (older: Event, newer: Event) => Event;
      /** Called once, when the queue closes from either side. */
      onClose: () => void;
    },
  ) {}

  push(event: Event): void {
    if (this.closed) return;
    if (this.waiting) {
      const deliver = this.waiting;
      this.waiting = null;
      deliver({ value: event, done: false });
      return;
    }
    const key = this.options.keyOf(event);
    const index = this.pending.findIndex((waiting) => this.options.keyOf(waiting) === key);
    if (index >= 0) {
      const [older] = this.pending.splice(index, 1);
      this.pending.push(this.options.merge(older!, event));
      return;
    }
    this.pending.push(event);
    if (this.pending.length > this.options.capacity) this.pending.shift();
  }

  get size(): number {
    return this.pending.length;
  }

  next(): Promise<IteratorResult<Event, undefined>> {
    if (this.pending.length > 0) return Promise.resolve({ value: this.pending.shift()!, done: false });
    if (this.closed) return Promise.resolve({ value: undefined, done: true });
    return new Promise((resolve) => (this.waiting = resolve));
  }

  return(): Promise<IteratorResult<Event, undefined>> {
    this.close();
    return Promise.resolve({ value: undefined, done: true });
  }

  /** Ends the stream: pending events are discarded and a waiting reader is told it is done. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.pending = [];
    this.waiting?.({ value: undefined, done: true });
    this.waiting = null;
    this.options.onClose();
  }

  [Symbol.asyncIterator](): this {
    return this;
  }
}

/**
 * Maps a stream item by item with `step`; the stream ends when the source does or when `step`
 * answers undefined. Unlike an async generator, returning it before the first `next` still closes
 * the source, so a subscriber that leaves at once releases what it held.
 */
export function mapUntil<In, Out>(
  source: AsyncIterator<In>,
  step: (item: In) => Promise<Out | undefined>,
): AsyncIterableIterator<Out> {
  const finish = async (): Promise<IteratorResult<Out, undefined>> => {
    await source.return?.();
    return { value: undefined, done: true };
  };
  return {
    async next() {
      const item = await source.next();
      if (item.done) return finish();
      let value: Out | undefined;
      try {
        value = await step(item.value);
      } catch (error) {
        await finish();
        throw error;
      }
      return value === undefined ? finish() : { value, done: false };
    },
    return: finish,
    async throw(error: unknown) {
      await finish();
      throw error;
    },
    [Symbol.asyncIterator]() {
      return this;
    },
  };
}
