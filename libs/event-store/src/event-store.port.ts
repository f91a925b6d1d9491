/**
 * The event-store port: the only way the ledger reads or writes its log.
 *
 * Three adapters implement it (embedded PGlite, PostgreSQL, KurrentDB) and all of them pass the
 * same contract suite (`contract/event-store.contract.ts`). Nothing above this port may depend
 * on which adapter is in use.
 */

/** Expected revision for an append: the revision of the stream's last event, or a sentinel. */
export type ExpectedRevision = number | typeof NO_STREAM | typeof ANY | typeof STREAM_EXISTS;

/** The stream must not exist yet (no event has ever been appended to it). */
export const NO_STREAM = 'no_stream' as const;
/**
 * No concurrency check at all. Use only for streams with a single writer, and never where an
 * append may be retried: on KurrentDB a retried append is recognised by its event ids only from a
 * cache with `ANY` and `STREAM_EXISTS`, so a late retry can write the events twice. The ledger
 * appends with an exact revision or `NO_STREAM` only (test/architecture.spec.ts holds it).
 */
export const ANY = 'any' as const;
/** The stream must already have at least one event (the same caution as `ANY` about retries). */
export const STREAM_EXISTS = 'stream_exists' as const;

/** Metadata is a JSON object; keys starting with `$` are reserved for the adapters. */
export type EventMetadata = Record<string, unknown>;

/** An event as the caller proposes it. */
export interface NewEvent {
  /**
   * UUID chosen by the caller. Retrying an append with the same ids and an exact revision or
   * `NO_STREAM` writes nothing new on every adapter (see `ANY` for the other two modes).
   */
  readonly eventId: string;
  readonly type: string;
  readonly schemaVersion: number;
  readonly data: Record<string, unknown>;
  readonly metadata: EventMetadata;
}

/**
 * Where a reader of the whole log stands. Opaque: compare and persist it only through the
 * store that produced it (`START` is the beginning of the log for every adapter).
 */
export type LogCursor = string;
export const START: LogCursor = '';

/** An event as stored. */
export interface StoredEvent {
  readonly eventId: string;
  readonly streamName: string;
  /** 0-based position of the event in its stream. */
  readonly revision: number;
  /** Position in the global log: unique, and what API clients see as `position`. */
  readonly position: number;
  /** Resume point for `readAll`/`subscribe` just after this event. */
  readonly cursor: LogCursor;
  readonly type: string;
  readonly schemaVersion: number;
  readonly data: Record<string, unknown>;
  readonly metadata: EventMetadata;
  /** Store time of the commit, UTC. */
  readonly recordedAt: Date;
}

export interface AppendResult {
  /** Revision of the stream's last event after this append; pass it as the next expected revision. */
  readonly nextExpectedRevision: number;
  /** Global position of the last event appended. */
  readonly position: number;
  /** Cursor just after the last event appended. */
  readonly cursor: LogCursor;
}

export interface ReadStreamOptions {
  /** First revision to return (inclusive); default 0. */
  readonly fromRevision?: number;
  /** At most this many events; default and cap `MAX_READ_BATCH`. */
  readonly limit?: number;
}

export interface ReadAllOptions {
  /** Return events after this cursor; default `START`. */
  readonly after?: LogCursor;
  /** At most this many events; default and cap `MAX_READ_BATCH`. */
  readonly limit?: number;
}

export interface ReadAllResult {
  readonly events: readonly StoredEvent[];
  /** Cursor after the last event returned (or `after` when none was). */
  readonly cursor: LogCursor;
}

export interface SubscribeOptions {
  readonly after?: LogCursor;
  /** Ends the subscription (the iterator returns) when aborted. */
  readonly signal?: AbortSignal;
}

/** Which adapter a store is; reported by `/health`. */
export type EventStoreKind = 'embedded' | 'postgres' | 'kurrentdb';

/**
 * Reads of a stream or of the log never return more than this many events at once: a bound on
 * memory per call. 1,000 events of a few hundred bytes each keep a batch well under 1 MB.
 */
export const MAX_READ_BATCH = 1000;

/**
 * Appends larger than this are refused. One ledger command writes a handful of events; the
 * bound keeps a single transaction short, since long ones hold back readers of the log.
 */
export const MAX_APPEND_EVENTS = 1000;

export interface EventStore {
  readonly kind: EventStoreKind;

  /**
   * Appends events atomically at the end of `streamName` if its last revision is `expectedRevision`.
   * Throws `WrongExpectedRevision`, `DuplicateEventId`, `InvalidArgument` or `StoreUnavailable`.
   */
  append(
    streamName: string,
    events: readonly NewEvent[],
    options: { readonly expectedRevision: ExpectedRevision },
  ): Promise<AppendResult>;

  /** Events of one stream in revision order; an unknown stream reads as empty. */
  readStream(streamName: string, options?: ReadStreamOptions): Promise<StoredEvent[]>;

  /**
   * Events of every stream in the global order. The order never changes once read: an event
   * that commits later never appears before a cursor a reader already holds.
   */
  readAll(options?: ReadAllOptions): Promise<ReadAllResult>;

  /** A catch-up subscription: every event after `after`, then new ones as they commit, forever. */
  subscribe(options?: SubscribeOptions): AsyncIterable<StoredEvent>;

  /** Cursor after the last event a reader can see now. */
  headCursor(): Promise<LogCursor>;

  /** True when a reader that has consumed up to `cursor` has seen the event at `position`. */
  hasReached(cursor: LogCursor, position: number): Promise<boolean>;

  /** The position of the event a cursor stands on; null for `START`. Throws on a foreign cursor. */
  positionOf(cursor: LogCursor): number | null;

  /** Cheap round trip to the store; throws `StoreUnavailable` when it cannot be reached. */
  ping(): Promise<void>;

  /** Releases connections and files; ends open subscriptions. Idempotent. */
  close(): Promise<void>;
}
