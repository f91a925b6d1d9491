import { EventEmitter, setMaxListeners } from 'node:events';
import { assertNever, clampLimit, validateAppend } from '../append-validation';
import {
  DuplicateEventId,
  EventStoreError,
  InvalidArgument,
  StoreNewerThanCode,
  StoreUnavailable,
  WrongExpectedRevision,
} from '../event-store.errors';
import {
  MAX_APPEND_EVENTS,
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
import { pollingSubscription, sleep, sleepUntil } from '../subscription';
import {
  appendManySql,
  appendSql,
  headSql,
  readAllSql,
  readStreamSql,
  schemaDdl,
  EVENT_STORE_SCHEMA_VERSION,
  NEWER_STORE_MARK,
  transactionOfSql,
  type EventRow,
} from './event-store.sql';
import { sqlState, UNIQUE_VIOLATION } from './pg-errors';
import type { SqlClient } from './sql-client';

interface QueuedAppend {
  readonly stream: string;
  readonly expected: string;
  readonly events: JsonEvent[];
  resolve(outcome: AppendOutcome): void;
  reject(error: unknown): void;
}

/** Appends sent together in one statement at most (group commit); each may hold many events. */
const MAX_GROUP_APPENDS = 64;

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
  /**
   * Append statements run at once; appends beyond wait and go together in the next (group
   * commit). The embedded store runs one statement at a time anyway; a pool, a few.
   */
  readonly appendsAtOnce: number;
}

/** The event store over any `SqlClient`: the embedded and PostgreSQL adapters are this class. */
export class SqlEventStore implements EventStore {
  readonly kind: SqlEventStoreOptions['kind'];
  private readonly appended = new EventEmitter();
  private readonly closing = new AbortController();
  /** Pages of the log read by subscriptions, by the cursor they follow (see `readTail`). */
  private readonly tailPages = new Map<
    LogCursor,
    { page: Promise<ReadAllResult>; settled: boolean }
  >();
  /** Subscriptions waiting for the log to pass their cursor (see `waitForAppend`). */
  private readonly headWaiters = new Set<{ after: LogCursor; wake: () => void }>();
  private watchingHead = false;
  /** Appends waiting for a statement, and how many append statements run now. */
  private readonly waitingAppends: QueuedAppend[] = [];
  private appendsRunning = 0;
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

  /**
   * Creates the schema when missing, or brings one an older release wrote up to this release's
   * layout (forward only; every step idempotent, so a start that stops half-way is finished by
   * the next), and returns a ready store. A schema recorded by a newer release is refused with
   * `StoreNewerThanCode`, before anything in it is touched.
   */
  static async open(client: SqlClient, options: SqlEventStoreOptions): Promise<SqlEventStore> {
    const store = new SqlEventStore(client, options);
    const refuseNewer = async () => {
      const recorded = await store.run(() => storedVersion(client, options.schema));
      if (recorded !== undefined && recorded > EVENT_STORE_SCHEMA_VERSION)
        throw new StoreNewerThanCode(recorded, EVENT_STORE_SCHEMA_VERSION);
    };
    await refuseNewer();
    await store.run(async () => {
      try {
        await client.exec(schemaDdl(options.schema));
      } catch (error) {
        // A newer release recorded its version between the look and the guard.
        if (error instanceof Error && error.message.includes(NEWER_STORE_MARK)) await refuseNewer();
        throw error;
      }
    });
    await store.run(() => refuseForeignTransactions(client, options.schema));
    return store;
  }

  async append(
    streamName: string,
    events: readonly NewEvent[],
    options: { readonly expectedRevision: ExpectedRevision },
  ): Promise<AppendResult> {
    validateAppend(streamName, events, options.expectedRevision);
    const outcome = await new Promise<AppendOutcome>((resolve, reject) => {
      this.waitingAppends.push({
        stream: streamName,
        expected: String(options.expectedRevision),
        events: events.map(toJsonEvent),
        resolve,
        reject,
      });
      this.startAppends();
    });
    switch (outcome.status) {
      case 'ok':
      case 'replayed':
        if (outcome.status === 'ok') {
          this.forgetRunningReads();
          this.appended.emit('append');
        }
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

  /**
   * Group commit: up to `appendsAtOnce` append statements run at once; appends that arrive while
   * they all run wait, and go together in the next one (`append_many`, one transaction), so under
   * load many appends share a round trip and a commit, and alone an append waits for nothing.
   */
  private startAppends(): void {
    while (this.appendsRunning < this.options.appendsAtOnce && this.waitingAppends.length > 0) {
      const group = takeGroup(this.waitingAppends);
      this.appendsRunning++;
      void this.runGroup(group).finally(() => {
        this.appendsRunning--;
        this.startAppends();
      });
    }
  }

  private async runGroup(group: QueuedAppend[]): Promise<void> {
    if (group.length === 1) return this.runAlone(group[0]);
    // In stream order, so two groups take the streams' rows in the same order.
    const ordered = [...group].sort((a, b) =>
      a.stream < b.stream ? -1 : a.stream > b.stream ? 1 : 0,
    );
    const payload = JSON.stringify(
      ordered.map(({ stream, expected, events }) => ({ stream, expected, events })),
    );
    let outcomes: AppendOutcome[];
    try {
      const { rows } = await this.run(() =>
        this.client.query<{ result: AppendOutcome[] }>(this.sql.appendMany, [payload]),
      );
      outcomes = rows[0].result;
    } catch (error) {
      // Nothing of the group was stored, or (the store unreachable) nobody knows: say so to
      // all. Otherwise one append broke the transaction for the rest (an id raced to another
      // stream, a deadlock): each goes alone and meets its own outcome.
      if (error instanceof StoreUnavailable) for (const append of group) append.reject(error);
      else await Promise.all(group.map((append) => this.runAlone(append)));
      return;
    }
    ordered.forEach((append, i) => append.resolve(outcomes[i]));
  }

  private async runAlone(append: QueuedAppend): Promise<void> {
    try {
      const { rows } = await this.run(() =>
        this.client.query<{ result: AppendOutcome }>(this.sql.append, [
          append.stream,
          append.expected,
          JSON.stringify(append.events),
        ]),
      );
      append.resolve(rows[0].result);
    } catch (error) {
      // Two appends raced with the same event id to different streams: the loser lands here.
      append.reject(
        sqlState(error) === UNIQUE_VIOLATION
          ? new DuplicateEventId(append.stream, append.events[0].eventId)
          : error,
      );
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
        readAll: (after) => this.readTail(after),
        waitForAppend: (idleMs, signal, after) => this.waitForAppend(idleMs, signal, after),
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

  /**
   * `readAll` for subscriptions, one read shared by all that follow the same cursor: the eleven
   * projection runners of a process mostly stand at the same place and would each read the same
   * page (issue 13). A page that holds events stays right for ever (`readAll` never returns an
   * event past a gap that could still fill, so what follows a cursor never changes, it only
   * grows): it is kept among the last TAIL_PAGES. An empty page is shared only by the reads in
   * flight with it, so the next poll reads afresh.
   */
  private readTail(after: LogCursor): Promise<ReadAllResult> {
    const known = this.tailPages.get(after);
    if (known) return known.page;
    const page = this.readAll({ after });
    const entry = { page, settled: false };
    this.tailPages.set(after, entry);
    const forget = () => {
      if (this.tailPages.get(after) === entry) this.tailPages.delete(after);
    };
    page.then((result) => {
      entry.settled = true;
      if (result.events.length === 0) forget();
    }, forget);
    if (this.tailPages.size > TAIL_PAGES)
      this.tailPages.delete(this.tailPages.keys().next().value as LogCursor);
    return page;
  }

  /**
   * After an append here, a read still running may have begun before it and come back without
   * it: it is no longer shared, so a subscription woken by the append reads afresh.
   */
  private forgetRunningReads(): void {
    for (const [after, entry] of this.tailPages) if (!entry.settled) this.tailPages.delete(after);
  }

  /**
   * Waits for an append in this process, or for the log's head (as `readAll` sees it, behind the
   * fence) to pass `after`. One poll of the head per interval serves every waiting subscription
   * of this store: eleven projections following the log cost one statement per interval, not
   * eleven (issue 13: an idle API made 250 transactions a second).
   */
  private waitForAppend(idleMs: number, signal: AbortSignal, after: LogCursor): Promise<void> {
    let waiter: { after: LogCursor; wake: () => void } | undefined;
    const waiting = sleepUntil(idleMs * HEAD_POLL_BACKSTOP, signal, {
      on: (listener) => {
        waiter = { after, wake: listener };
        this.headWaiters.add(waiter);
        this.appended.once('append', listener);
      },
      off: (listener) => {
        if (waiter) this.headWaiters.delete(waiter);
        this.appended.off('append', listener);
      },
    });
    this.watchHead(idleMs);
    return waiting;
  }

  /** Polls the head while subscriptions wait; wakes those it has passed (all, when it fails). */
  private watchHead(idleMs: number): void {
    if (this.watchingHead) return;
    this.watchingHead = true;
    const poll = async () => {
      while (this.headWaiters.size > 0 && !this.closing.signal.aborted) {
        await sleep(idleMs, this.closing.signal);
        if (this.headWaiters.size === 0 || this.closing.signal.aborted) break;
        let head: LogCursor | undefined;
        try {
          head = await this.headCursor();
        } catch {
          head = undefined; // each waiter reads, and meets the failure itself
        }
        for (const waiter of [...this.headWaiters])
          if (head === undefined || (head !== START && compareCursors(waiter.after, head) < 0))
            waiter.wake();
      }
    };
    void poll().finally(() => {
      this.watchingHead = false;
      // A subscription that began waiting as the loop ended is not left without a poll.
      if (this.headWaiters.size > 0 && !this.closing.signal.aborted) this.watchHead(idleMs);
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

/**
 * A waiting subscription reads again after this many poll intervals even if the shared head poll
 * never woke it (a backstop; the poll wakes it as soon as the head passes its cursor).
 */
const HEAD_POLL_BACKSTOP = 100;
/** Pages of the log kept for subscriptions that follow the same cursor. */
const TAIL_PAGES = 8;

function statements(schema: string) {
  return {
    append: appendSql(schema),
    appendMany: appendManySql(schema),
    readAll: readAllSql(schema),
    readStream: readStreamSql(schema),
    head: headSql(schema),
    transactionOf: transactionOfSql(schema),
  };
}

interface JsonEvent {
  readonly eventId: string;
  readonly type: string;
  readonly schemaVersion: number;
  readonly data: Record<string, unknown>;
  readonly metadata: Record<string, unknown>;
}

function toJsonEvent(event: NewEvent): JsonEvent {
  return {
    eventId: event.eventId.toLowerCase(),
    type: event.type,
    schemaVersion: event.schemaVersion,
    data: event.data,
    metadata: event.metadata,
  };
}

/** Appends waiting for a statement: in arrival order, at most so many, at most so many events. */
function takeGroup(waiting: QueuedAppend[]): QueuedAppend[] {
  let count = 0;
  let events = 0;
  while (
    count < waiting.length &&
    count < MAX_GROUP_APPENDS &&
    (count === 0 || events + waiting[count].events.length <= MAX_APPEND_EVENTS)
  ) {
    events += waiting[count].events.length;
    count++;
  }
  return waiting.splice(0, count);
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

/** The newest schema version the schema records; `undefined` when it has no record yet. */
export async function storedVersion(
  client: SqlClient,
  schema: string,
): Promise<number | undefined> {
  const table = `${schema}.schema_migrations`;
  const { rows } = await client.query<{ present: boolean }>(
    'select to_regclass($1) is not null as present',
    [table],
  );
  if (!rows[0]?.present) return undefined;
  const { rows: versions } = await client.query<{ version: number | null }>(
    `select max(version) as version from ${table}`,
  );
  return versions[0]?.version ?? undefined;
}

/**
 * The log is ordered and fenced by the transaction ids PostgreSQL gave its appends. A logical
 * restore (`pg_restore`) into another cluster whose transaction counter is behind the stored ids
 * would hide every event from readers until the counter passed them, and order new appends
 * before old ones: refused, with what to do. (A restore into the same cluster, or a physical
 * copy, keeps the counter ahead.)
 */
async function refuseForeignTransactions(client: SqlClient, schema: string): Promise<void> {
  const { rows } = await client.query<{ stored: string | null; next: string }>(
    `select (select max(transaction_id) from ${schema}.events)::text as stored,
            pg_snapshot_xmax(pg_current_snapshot())::text as next`,
  );
  const { stored, next } = rows[0] ?? { stored: null, next: '0' };
  if (stored !== null && BigInt(stored) >= BigInt(next))
    throw new StoreUnavailable(
      `the log's transaction ids (up to ${stored}) are ahead of this PostgreSQL cluster's (${next}): ` +
        'the log was restored with pg_restore into another cluster. Restore it into the cluster it ' +
        'was dumped from (a new database there), or copy the cluster physically (pg_basebackup); ' +
        'docs/operations.md, "Backups"',
    );
}
