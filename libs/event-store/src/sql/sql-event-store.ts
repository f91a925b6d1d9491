import { EventEmitter, setMaxListeners } from 'node:events';
import { assertNever, clampLimit, validateAppend } from '../append-validation';
import {
  DuplicateEventId,
  EventStoreError,
  InvalidArgument,
  StoreUnavailable,
  WrongExpectedRevision,
} from '../event-store.errors';
import {
  START,
  type AppendResult,
  type EventStore,
  type EventStoreKind,
  type ExpectedRevision,
  type LogCursor,
  type NewEvent,
  type ReadAllOptions,
  type ReadAllResult,
  type ReadStreamOptions,
  type StoredEvent,
  type SubscribeOptions,
} from '../event-store.port';
import { pollingSubscription, sleepUntil } from '../subscription';
import {
  appendSql,
  headSql,
  readAllSql,
  readStreamSql,
  schemaDdl,
  transactionOfSql,
  type EventRow,
} from './event-store.sql';
import { sqlState, UNIQUE_VIOLATION } from './pg-errors';
import type { SqlClient } from './sql-client';

type AppendOutcome =
  | { status: 'ok' | 'replayed'; revision: number; position: number; tx: string }
  | { status: 'wrong_revision'; actual: number }
  | { status: 'duplicate_event_id'; eventId: string };

export interface SqlEventStoreOptions {
  readonly kind: Extract<EventStoreKind, 'embedded' | 'postgres'>;
  readonly schema: string;
  /** How long an idle subscription waits before it looks for commits by other processes. */
  readonly pollIntervalMs: number;
  /** Turns a driver error into a port error (unavailable vs. a bug); adapter-specific. */
  readonly classifyError: (error: unknown) => EventStoreError | undefined;
}

/** The event store over any `SqlClient`: the embedded and PostgreSQL adapters are this class. */
export class SqlEventStore implements EventStore {
  readonly kind: SqlEventStoreOptions['kind'];
  private readonly appended = new EventEmitter();
  private readonly closing = new AbortController();
  private readonly sql: ReturnType<typeof statements>;

  private constructor(
    private readonly client: SqlClient,
    private readonly options: SqlEventStoreOptions,
  ) {
    this.kind = options.kind;
    this.sql = statements(options.schema);
    // Every open subscription listens to both; the count is bounded by the projections, not by load.
    this.appended.setMaxListeners(0);
    setMaxListeners(0, this.closing.signal);
  }

  /** Creates the schema when missing (idempotent) and returns a ready store. */
  static async open(client: SqlClient, options: SqlEventStoreOptions): Promise<SqlEventStore> {
    const store = new SqlEventStore(client, options);
    await store.run(() => client.exec(schemaDdl(options.schema)));
    return store;
  }

  async append(
    streamName: string,
    events: readonly NewEvent[],
    options: { readonly expectedRevision: ExpectedRevision },
  ): Promise<AppendResult> {
    validateAppend(streamName, events, options.expectedRevision);
    const payload = JSON.stringify(events.map(toJsonEvent));
    const outcome = await this.appendRow(streamName, String(options.expectedRevision), payload);
    switch (outcome.status) {
      case 'ok':
      case 'replayed':
        if (outcome.status === 'ok') this.appended.emit('append');
        return {
          nextExpectedRevision: Number(outcome.revision),
          position: Number(outcome.position),
          cursor: encodeCursor(outcome.tx, outcome.position),
        };
      case 'wrong_revision':
        throw new WrongExpectedRevision(
          streamName,
          options.expectedRevision,
          Number(outcome.actual),
        );
      case 'duplicate_event_id':
        throw new DuplicateEventId(streamName, outcome.eventId);
      default:
        return assertNever(outcome);
    }
  }

  private async appendRow(streamName: string, expected: string, payload: string) {
    try {
      const { rows } = await this.run(() =>
        this.client.query<{ result: AppendOutcome }>(this.sql.append, [
          streamName,
          expected,
          payload,
        ]),
      );
      return rows[0].result;
    } catch (error) {
      // Two appends raced with the same event id to different streams: the loser lands here.
      if (sqlState(error) === UNIQUE_VIOLATION) {
        throw new DuplicateEventId(streamName, firstEventId(payload));
      }
      throw error;
    }
  }

  async readStream(streamName: string, options: ReadStreamOptions = {}): Promise<StoredEvent[]> {
    const from = options.fromRevision ?? 0;
    const limit = clampLimit(options.limit);
    const { rows } = await this.run(() =>
      this.client.query<EventRow>(this.sql.readStream, [streamName, from, limit]),
    );
    return rows.map(toStoredEvent);
  }

  async readAll(options: ReadAllOptions = {}): Promise<ReadAllResult> {
    const after = options.after ?? START;
    const [tx, position] = decodeCursor(after);
    const limit = clampLimit(options.limit);
    const { rows } = await this.run(() =>
      this.client.query<EventRow>(this.sql.readAll, [tx, position, limit]),
    );
    const events = rows.map(toStoredEvent);
    return { events, cursor: events.length > 0 ? events[events.length - 1].cursor : after };
  }

  subscribe(options: SubscribeOptions = {}): AsyncIterable<StoredEvent> {
    return pollingSubscription(
      {
        readAll: (after) => this.readAll({ after }),
        waitForAppend: (idleMs, signal) => this.waitForAppend(idleMs, signal),
      },
      { ...options, idleMs: this.options.pollIntervalMs, closed: this.closing.signal },
    );
  }

  async headCursor(): Promise<LogCursor> {
    const { rows } = await this.run(() =>
      this.client.query<{ tx: string; global_position: number | string }>(this.sql.head),
    );
    return rows.length === 0 ? START : encodeCursor(rows[0].tx, rows[0].global_position);
  }

  async hasReached(cursor: LogCursor, position: number): Promise<boolean> {
    if (cursor === START) return false;
    const { rows } = await this.run(() =>
      this.client.query<{ tx: string }>(this.sql.transactionOf, [position]),
    );
    if (rows.length === 0) return false;
    return compareCursors(encodeCursor(rows[0].tx, position), cursor) <= 0;
  }

  positionOf(cursor: LogCursor): number | null {
    return cursor === START ? null : Number(decodeCursor(cursor)[1]);
  }

  async ping(): Promise<void> {
    await this.run(() => this.client.query('select 1'));
  }

  async close(): Promise<void> {
    if (this.closing.signal.aborted) return;
    this.closing.abort();
    await this.client.close();
  }

  private waitForAppend(idleMs: number, signal: AbortSignal): Promise<void> {
    return sleepUntil(idleMs, signal, {
      on: (listener) => this.appended.once('append', listener),
      off: (listener) => this.appended.off('append', listener),
    });
  }

  /** Runs a driver call and turns what it throws into the port's errors. */
  private async run<T>(call: () => Promise<T>): Promise<T> {
    if (this.closing.signal.aborted) throw new StoreUnavailable('the event store is closed');
    try {
      return await call();
    } catch (error) {
      throw this.options.classifyError(error) ?? error;
    }
  }
}

function statements(schema: string) {
  return {
    append: appendSql(schema),
    readAll: readAllSql(schema),
    readStream: readStreamSql(schema),
    head: headSql(schema),
    transactionOf: transactionOfSql(schema),
  };
}

function toJsonEvent(event: NewEvent): Record<string, unknown> {
  return {
    eventId: event.eventId.toLowerCase(),
    type: event.type,
    schemaVersion: event.schemaVersion,
    data: event.data,
    metadata: event.metadata,
  };
}

function firstEventId(payload: string): string {
  const [first] = JSON.parse(payload) as { eventId: string }[];
  return first.eventId;
}

function toStoredEvent(row: EventRow): StoredEvent {
  return {
    eventId: row.event_id,
    streamName: row.stream_name,
    revision: Number(row.stream_revision),
    position: Number(row.global_position),
    cursor: encodeCursor(row.tx, row.global_position),
    type: row.event_type,
    schemaVersion: row.schema_version,
    data: row.data,
    metadata: row.metadata,
    recordedAt: row.recorded_at,
  };
}

/** SQL cursors are `transactionId:globalPosition`, the pair the log is ordered by. */
function encodeCursor(tx: string, position: number | string): LogCursor {
  return `${tx}:${position}`;
}

function decodeCursor(cursor: LogCursor): [string, string] {
  if (cursor === START) return ['0', '0'];
  const match = /^(\d{1,20}):(\d{1,19})$/.exec(cursor);
  if (!match) throw new InvalidArgument(`"${cursor}" is not a cursor of this store`);
  return [match[1], match[2]];
}

/** Orders two cursors of this store the way the log is ordered. */
export function compareCursors(a: LogCursor, b: LogCursor): number {
  const [txA, posA] = decodeCursor(a).map(BigInt);
  const [txB, posB] = decodeCursor(b).map(BigInt);
  if (txA !== txB) return txA < txB ? -1 : 1;
  return posA === posB ? 0 : posA < posB ? -1 : 1;
}
