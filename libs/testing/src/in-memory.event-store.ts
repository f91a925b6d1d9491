import {
  ANY,
  NO_STREAM,
  START,
  STREAM_EXISTS,
  WrongExpectedRevision,
  type AppendResult,
  type EventStore,
  type ExpectedRevision,
  type NewEvent,
  type ReadAllOptions,
  type ReadAllResult,
  type ReadStreamOptions,
  type StoredEvent,
} from '@ledger/event-store';

/**
 * A test double of the event-store port in memory, for fast property tests of the ledger's
 * protocols. Not an adapter: it keeps the revision rule and global order, nothing of durability.
 */
export class InMemoryEventStore implements EventStore {
  readonly kind = 'embedded' as const;
  private readonly log: StoredEvent[] = [];
  private readonly streams = new Map<string, StoredEvent[]>();
  /** When set, called before each append; throwing from it simulates a crash at that point. */
  beforeAppend?: (stream: string, events: readonly NewEvent[]) => void;

  append(
    stream: string,
    events: readonly NewEvent[],
    options: { expectedRevision: ExpectedRevision },
  ): Promise<AppendResult> {
    this.beforeAppend?.(stream, events);
    const existing = this.streams.get(stream) ?? [];
    const actual = existing.length - 1;
    const expected = options.expectedRevision;
    const ok =
      expected === ANY ||
      (expected === NO_STREAM && actual === -1) ||
      (expected === STREAM_EXISTS && actual >= 0) ||
      expected === actual;
    if (!ok) return Promise.reject(new WrongExpectedRevision(stream, expected, actual));
    for (const event of events) {
      const position = this.log.length + 1;
      const stored: StoredEvent = {
        ...event,
        streamName: stream,
        revision: existing.length,
        position,
        cursor: String(position),
        recordedAt: new Date(),
      };
      existing.push(stored);
      this.log.push(stored);
    }
    this.streams.set(stream, existing);
    const last = existing[existing.length - 1];
    return Promise.resolve({
      nextExpectedRevision: last.revision,
      position: last.position,
      cursor: last.cursor,
    });
  }

  readStream(stream: string, options: ReadStreamOptions = {}): Promise<StoredEvent[]> {
    const from = options.fromRevision ?? 0;
    return Promise.resolve(
      (this.streams.get(stream) ?? []).slice(from, from + (options.limit ?? 1000)),
    );
  }

  readAll(options: ReadAllOptions = {}): Promise<ReadAllResult> {
    const after =
      options.after === undefined || options.after === START ? 0 : Number(options.after);
    const events = this.log.slice(after, after + (options.limit ?? 1000));
    return Promise.resolve({
      events,
      cursor: events.length > 0 ? events[events.length - 1].cursor : (options.after ?? START),
    });
  }

  async *subscribe(): AsyncGenerator<StoredEvent> {
    yield* this.log;
    await Promise.resolve();
  }

  headCursor(): Promise<string> {
    return Promise.resolve(this.log.length === 0 ? START : String(this.log.length));
  }

  hasReached(cursor: string, position: number): Promise<boolean> {
    return Promise.resolve(cursor !== START && Number(cursor) >= position);
  }

  positionOf(cursor: string): number | null {
    return cursor === START ? null : Number(cursor);
  }

  ping(): Promise<void> {
    return Promise.resolve();
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}
