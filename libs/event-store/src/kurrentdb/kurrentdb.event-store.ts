import { setMaxListeners } from 'node:events';
import {
  BACKWARDS,
  END,
  ErrorType,
  EventStoreDBClient,
  excludeSystemEvents,
  jsonEvent,
  START as KURRENT_START,
  type AllStreamResolvedEvent,
  type AppendExpectedRevision,
  type Position,
  type ResolvedEvent,
  type StreamingRead,
} from '@eventstore/db-client';
// The client's own parser (not in its index): the same rules as the client, checked at start-up.
import { parseConnectionString } from '@eventstore/db-client/dist/Client/parseConnectionString';
import { linkedAbort } from '../abort';
import { clampLimit, validateAppend } from '../append-validation';
import { InvalidArgument, StoreUnavailable, WrongExpectedRevision } from '../event-store.errors';
import {
  ANY,
  NO_STREAM,
  START,
  STREAM_EXISTS,
  type AppendResult,
  type EventStore,
  type ExpectedRevision,
  type LogCursor,
  type NewEvent,
  type ReadAllOptions,
  type ReadAllResult,
  type ReadStreamOptions,
  type StoredEvent,
  type SubscribeOptions,
} from '../event-store.port';

/** The schema version travels in KurrentDB's metadata under this reserved key. */
const SCHEMA_VERSION_KEY = '$schemaVersion';
/** A ping or head look-up that takes longer than this means the cluster is not serving. */
export const PING_DEADLINE_MS = 3000;
/**
 * Any other read (a page of the log, a stream) that takes longer than this is abandoned (its call
 * cancelled) and reported as `StoreUnavailable`. The client cannot bound a `$all` read itself:
 * its `readAll` passes `deadline: Infinity`, overriding the one given.
 */
export const READ_DEADLINE_MS = 30_000;
/**
 * An append not answered within this is given up and reported as `StoreUnavailable`: its outcome
 * is unknown (it may have committed; a retry with the same ids is safe). The client bounds a plain
 * Append call by its own deadline (10 s), but opens the BatchAppend call a server that offers it
 * gets with `deadline: Infinity`, telling the server a deadline only inside the request: a server
 * that accepts and never answers would hold the writer for good.
 */
export const APPEND_DEADLINE_MS = 30_000;
/**
 * What gRPC itself reports as RESOURCE_EXHAUSTED or INTERNAL when a message is too large or
 * cannot be parsed: a retry meets it again, so it is not `StoreUnavailable` (nothing would stop
 * retrying it); it passes through as the error it is.
 */
const PERMANENT = /larger than max|exceeds maximum|failed to parse|parse error|deserializ/i;
/** Records read per page while looking back for the log's head. */
const HEAD_PAGE = 100;
/** gRPC statuses the client reports as `UnknownError` that mean the server was overloaded or failed. */
const TRANSPORT_FAILURES = new Set<number>([
  2, // UNKNOWN
  8, // RESOURCE_EXHAUSTED
  13, // INTERNAL (the client's known issue #167 under load)
]);

export interface KurrentDbStoreOptions {
  /** e.g. `esdb://127.0.0.1:2113?tls=false` (or `kurrentdb://…`). */
  readonly connectionString: string;
  /** How long calls may take, in ms; each left out keeps its default (tests shorten them). */
  readonly deadlines?: Partial<KurrentDbDeadlines>;
}

/** How long the adapter waits for KurrentDB before it gives up on a call, in ms. */
export interface KurrentDbDeadlines {
  /** A ping or a look-up of the log's head: `PING_DEADLINE_MS` by default. */
  readonly ping: number;
  /** A page of the log or a read of a stream: `READ_DEADLINE_MS` by default. */
  readonly read: number;
  /** The answer to an append: `APPEND_DEADLINE_MS` by default. */
  readonly append: number;
}

/**
 * The scale-out adapter. KurrentDB's `$all` commit position is the global order, so there is no
 * gap to fence; stream revisions map one to one. Cursors are `commit/prepare`.
 */
export async function openKurrentDbEventStore(options: KurrentDbStoreOptions): Promise<EventStore> {
  const url = kurrentDbConnectionString(options.connectionString);
  const store = new KurrentDbEventStore(EventStoreDBClient.connectionString(url), {
    ping: PING_DEADLINE_MS,
    read: READ_DEADLINE_MS,
    append: APPEND_DEADLINE_MS,
    ...options.deadlines,
  });
  try {
    await store.ping();
  } catch (error) {
    await store.close(); // release the gRPC channel: a failed open must not keep the process alive
    throw error;
  }
  return store;
}

/**
 * The connection string as the client reads it: `kurrentdb://`, `kurrent://` and `kdb://` (each
 * with `+discover`) are KurrentDB's names for what this client calls `esdb://`. Throws
 * `InvalidArgument` saying what is wrong with one the client cannot read.
 */
export function kurrentDbConnectionString(text: string): string {
  const url = text.trim().replace(/^(?:kurrentdb|kurrent|kdb)(\+discover)?:\/\//i, 'esdb$1://');
  try {
    parseConnectionString(url);
  } catch (error) {
    const why = error instanceof Error ? error.message : String(error);
    throw new InvalidArgument(`not a KurrentDB connection string: ${why}`, { cause: error });
  }
  return url;
}

class KurrentDbEventStore implements EventStore {
  readonly kind = 'kurrentdb' as const;
  private readonly closing = new AbortController();

  constructor(
    private readonly client: EventStoreDBClient,
    private readonly deadlines: KurrentDbDeadlines,
  ) {
    // Every open subscription listens; the count is bounded by the projections, not by load.
    setMaxListeners(0, this.closing.signal);
  }

  async append(
    streamName: string,
    events: readonly NewEvent[],
    options: { readonly expectedRevision: ExpectedRevision },
  ): Promise<AppendResult> {
    validateAppend(streamName, events, options.expectedRevision);
    this.assertOpen();
    const data = events.map((event) =>
      jsonEvent({
        id: event.eventId.toLowerCase(),
        type: event.type,
        data: event.data,
        metadata: { ...event.metadata, [SCHEMA_VERSION_KEY]: event.schemaVersion },
      }),
    );
    try {
      const result = await within(
        this.client.appendToStream(streamName, data, {
          expectedRevision: toKurrentRevision(options.expectedRevision),
        }),
        this.deadlines.append,
        `an append to ${streamName}`,
        ': its outcome is unknown',
      );
      const position = result.position;
      if (!position) throw new StoreUnavailable('KurrentDB returned no position for an append');
      return {
        nextExpectedRevision: Number(result.nextExpectedRevision),
        position: toPositionNumber(position),
        cursor: encodeCursor(position),
      };
    } catch (error) {
      // The server's own "unknown" (batch appends: an `UnknownError` without a gRPC status) may
      // come after the commit: the outcome is unknown, and a retry with the same ids is safe.
      if (
        errorType(error) === ErrorType.UNKNOWN &&
        typeof (error as { code?: unknown }).code !== 'number'
      )
        throw new StoreUnavailable('KurrentDB failed the append (unknown error)', { cause: error });
      if (errorType(error) !== ErrorType.WRONG_EXPECTED_VERSION) throw classify(error);
      // KurrentDB's own dedupe is a cache: after it forgets, a retry with an exact revision or
      // no_stream reports a conflict (with any or stream_exists it would write again: the port
      // says so, and the ledger uses neither). Look at what is stored where the retry would
      // have gone before calling it one.
      const replay = await this.findEarlierAppend(streamName, events, options.expectedRevision);
      if (replay) return replay;
      throw new WrongExpectedRevision(streamName, options.expectedRevision, actualRevision(error));
    }
  }

  async readStream(streamName: string, options: ReadStreamOptions = {}): Promise<StoredEvent[]> {
    this.assertOpen();
    const out: StoredEvent[] = [];
    try {
      const reader = this.client.readStream(streamName, {
        fromRevision: BigInt(options.fromRevision ?? 0),
        maxCount: clampLimit(options.limit),
      });
      await drain(reader, this.deadlines.read, `a read of ${streamName}`, (resolved) => {
        const event = toStoredEvent(resolved);
        if (event) out.push(event);
        return true;
      });
    } catch (error) {
      if (errorType(error) === ErrorType.STREAM_NOT_FOUND) return [];
      throw classify(error);
    }
    return out;
  }

  /**
   * A page of the log. Each call asks for what it still needs (`maxCount`), so the server ends
   * the call; the call is cancelled whatever happens (a page that stops early leaves nothing
   * open) and bounded in time. System events are skipped, so a page may take several calls.
   */
  async readAll(options: ReadAllOptions = {}): Promise<ReadAllResult> {
    this.assertOpen();
    const after = options.after ?? START;
    const limit = clampLimit(options.limit);
    const events: StoredEvent[] = [];
    let from = decodeCursor(after);
    // `fromPosition` is inclusive: the record at `after` comes again first, and is skipped.
    let skip = after === START ? undefined : after;
    while (events.length < limit) {
      const want = limit - events.length + (skip === undefined ? 0 : 1);
      let got = 0;
      let last: Position | undefined;
      const reader = this.client.readAll({ fromPosition: from, maxCount: want });
      await drain(reader, this.deadlines.read, 'a read of the log', (resolved) => {
        got++;
        const position = resolved.event?.position;
        if (position) last = position;
        if (position && encodeCursor(position) === skip) return true;
        const event = toStoredEvent(resolved);
        if (event && events.length < limit) events.push(event);
        return true;
      });
      if (got < want || !last) break; // the end of the log
      from = last;
      skip = encodeCursor(last);
    }
    return { events, cursor: events.length > 0 ? events[events.length - 1].cursor : after };
  }

  async *subscribe(options: SubscribeOptions = {}): AsyncGenerator<StoredEvent> {
    this.assertOpen();
    const linked = linkedAbort([this.closing.signal, options.signal]);
    const stop = linked.signal;
    const subscription = this.client.subscribeToAll({
      fromPosition: decodeCursor(options.after ?? START),
      filter: excludeSystemEvents(),
    });
    // Ending a subscription the caller gave up on: the iteration below reports real failures.
    const unsubscribe = (): void => void subscription.unsubscribe().catch(() => undefined);
    stop.addEventListener('abort', unsubscribe, { once: true });
    try {
      for await (const resolved of subscription) {
        if (stop.aborted) return;
        const event = toStoredEvent(resolved);
        if (event) yield event;
      }
    } catch (error) {
      if (!stop.aborted) throw classify(error);
    } finally {
      stop.removeEventListener('abort', unsubscribe);
      linked.dispose();
      unsubscribe();
    }
  }

  async headCursor(): Promise<LogCursor> {
    this.assertOpen();
    // Backwards from the end, a page at a time: the newest records may be system events (a
    // projection's links written after the last ledger event). The log is empty only when a
    // page ends short without a ledger event; each page is bounded in time.
    let from: Position | typeof END = END;
    for (;;) {
      let got = 0;
      let last: Position | undefined;
      let head: LogCursor | undefined;
      const reader = this.client.readAll({
        fromPosition: from,
        direction: BACKWARDS,
        maxCount: HEAD_PAGE,
      });
      await drain(reader, this.deadlines.ping, "a look-up of the log's head", (resolved) => {
        got++;
        if (resolved.event?.position) last = resolved.event.position;
        const event = toStoredEvent(resolved);
        if (event) head = event.cursor;
        return !event;
      });
      if (head !== undefined) return head;
      if (got < HEAD_PAGE || !last) return START;
      from = last; // inclusive: the record at `last` (a system one) comes again first
    }
  }

  hasReached(cursor: LogCursor, position: number): Promise<boolean> {
    const decoded = decodeCursor(cursor);
    return Promise.resolve(decoded !== KURRENT_START && decoded.commit >= BigInt(position));
  }

  positionOf(cursor: LogCursor): number | null {
    const decoded = decodeCursor(cursor);
    return decoded === KURRENT_START ? null : Number(decoded.commit);
  }

  async ping(): Promise<void> {
    this.assertOpen();
    const reader = this.client.readAll({ fromPosition: END, direction: BACKWARDS, maxCount: 1 });
    await drain(reader, this.deadlines.ping, 'a ping', () => true);
  }

  async close(): Promise<void> {
    if (this.closing.signal.aborted) return;
    this.closing.abort();
    await this.client.dispose();
  }

  private async findEarlierAppend(
    streamName: string,
    events: readonly NewEvent[],
    expected: ExpectedRevision,
  ): Promise<AppendResult | undefined> {
    if (expected === ANY || expected === STREAM_EXISTS) return undefined;
    const from = expected === NO_STREAM ? 0 : expected + 1;
    const stored = await this.readStream(streamName, { fromRevision: from, limit: events.length });
    const same =
      stored.length === events.length &&
      stored.every((event, i) => event.eventId === events[i].eventId.toLowerCase());
    if (!same) return undefined;
    const last = stored[stored.length - 1];
    return { nextExpectedRevision: last.revision, position: last.position, cursor: last.cursor };
  }

  private assertOpen(): void {
    if (this.closing.signal.aborted) throw new StoreUnavailable('the event store is closed');
  }
}

/**
 * Reads every item of a streaming read, bounded in time: past `ms` the call is cancelled and the
 * read fails with `StoreUnavailable`. `each` answers whether to go on; the call is cancelled when
 * the read ends for any reason, so no gRPC call outlives it.
 */
async function drain<E>(
  reader: StreamingRead<E>,
  ms: number,
  what: string,
  each: (item: E) => boolean,
): Promise<void> {
  const reading = (async () => {
    for await (const item of reader as AsyncIterable<E>) if (!each(item)) break;
  })();
  try {
    await within(reading, ms, what);
  } catch (error) {
    throw classify(error);
  } finally {
    // Not awaited: a call that never started (no connection) would hold this up for good.
    reader.cancel().catch(() => undefined);
    reader.destroy();
  }
}

/**
 * What `work` answers, or `StoreUnavailable` once `ms` have passed without an answer. Whatever
 * `work` answers after that is dropped (a read given up fails once cancelled; an append's
 * answer comes too late to tell).
 */
async function within<T>(work: Promise<T>, ms: number, what: string, note = ''): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new StoreUnavailable(`KurrentDB did not answer ${what} within ${ms} ms${note}`)),
      ms,
    );
  });
  try {
    return await Promise.race([work, timedOut]);
  } finally {
    clearTimeout(timer);
    work.catch(() => undefined);
  }
}

function toKurrentRevision(expected: ExpectedRevision): AppendExpectedRevision {
  if (expected === ANY) return 'any';
  if (expected === NO_STREAM) return 'no_stream';
  if (expected === STREAM_EXISTS) return 'stream_exists';
  return BigInt(expected);
}

function toStoredEvent(resolved: ResolvedEvent | AllStreamResolvedEvent): StoredEvent | undefined {
  const recorded = resolved.event;
  if (!recorded || recorded.type.startsWith('$') || recorded.streamId.startsWith('$')) {
    return undefined;
  }
  if (!recorded.isJson || !recorded.position) {
    throw new InvalidArgument(`event ${recorded.id} in ${recorded.streamId} is not a ledger event`);
  }
  const { [SCHEMA_VERSION_KEY]: schemaVersion, ...metadata } = (recorded.metadata ?? {}) as Record<
    string,
    unknown
  >;
  return {
    eventId: recorded.id,
    streamName: recorded.streamId,
    revision: Number(recorded.revision),
    position: toPositionNumber(recorded.position),
    cursor: encodeCursor(recorded.position),
    type: recorded.type,
    schemaVersion: typeof schemaVersion === 'number' ? schemaVersion : 1,
    data: recorded.data as Record<string, unknown>,
    metadata,
    recordedAt: recorded.created,
  };
}

function toPositionNumber(position: Position): number {
  const value = Number(position.commit);
  if (!Number.isSafeInteger(value)) throw new Error(`log position ${position.commit} is too large`);
  return value;
}

function encodeCursor(position: Position): LogCursor {
  return `${position.commit}/${position.prepare}`;
}

function decodeCursor(cursor: LogCursor): Position | typeof KURRENT_START {
  if (cursor === START) return KURRENT_START;
  const match = /^(\d{1,20})\/(\d{1,20})$/.exec(cursor);
  if (!match) throw new InvalidArgument(`"${cursor}" is not a KurrentDB cursor`);
  return { commit: BigInt(match[1]), prepare: BigInt(match[2]) };
}

function errorType(error: unknown): string | undefined {
  const type = (error as { type?: unknown } | null)?.type;
  return typeof type === 'string' ? type : undefined;
}

function actualRevision(error: unknown): number {
  const actual = (error as { actualVersion?: unknown }).actualVersion;
  return typeof actual === 'bigint' ? Number(actual) : -1;
}

const UNAVAILABLE_TYPES = new Set<string>([
  ErrorType.UNAVAILABLE,
  ErrorType.DEADLINE_EXCEEDED,
  ErrorType.TIMEOUT,
  ErrorType.NOT_LEADER,
  ErrorType.CANCELLED,
]);

function classify(error: unknown): Error {
  if (error instanceof StoreUnavailable || error instanceof InvalidArgument) return error;
  const type = errorType(error);
  if (type !== undefined && UNAVAILABLE_TYPES.has(type)) {
    return new StoreUnavailable(`KurrentDB unavailable (${type})`, { cause: error });
  }
  // Overloaded or failing (RESOURCE_EXHAUSTED, INTERNAL, UNKNOWN): for an append the outcome is
  // unknown, which `StoreUnavailable` says (a retry with the same ids is safe).
  const code = (error as { code?: unknown } | null)?.code;
  if (
    type === ErrorType.UNKNOWN &&
    typeof code === 'number' &&
    TRANSPORT_FAILURES.has(code) &&
    !PERMANENT.test(String((error as { message?: unknown }).message))
  ) {
    return new StoreUnavailable(`KurrentDB failed the call (gRPC status ${code})`, {
      cause: error,
    });
  }
  if (type === ErrorType.MAXIMUM_APPEND_SIZE_EXCEEDED) {
    return new InvalidArgument('the append is larger than KurrentDB accepts', { cause: error });
  }
  return error instanceof Error ? error : new Error(String(error));
}
