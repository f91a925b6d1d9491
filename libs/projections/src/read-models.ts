import { isLedgerEventType, type LedgerEvent } from '@ledger/domain';
import {
  START,
  type EventStore,
  type LogCursor,
  type SqlClient,
  type SqlQuery,
  type StoredEvent,
} from '@ledger/event-store';
import { Logger } from '@nestjs/common';
import { EventEmitter } from 'node:events';
import type { Projection } from './projection';
import { PROJECTIONS } from './projections';

/** Events applied per transaction by a live runner: bounds a transaction's length and a batch's memory. */
export const PROJECTION_BATCH = 500;
/** Events per transaction when catching up from far behind (rebuilds): fewer, larger statements. */
export const CATCH_UP_BATCH = 5000;
/** A batch is flushed when the next event is not there within this long. */
const FLUSH_AFTER_MS = 5;
/** After a failed batch (database down, a bug) the runner waits this long, then resumes from its checkpoint. */
const RETRY_AFTER_MS = 1000;
/** Positions known applied, kept for the fast path of reads (cleared when full). */
const APPLIED_CACHE = 10_000;
/** A waiting read checks again this often even without news from a runner in this process. */
const RECHECK_MS = 20;
/** api.md: a read with `minPosition` waits at most 5 s, then answers PROJECTION_LAGGING. */
export const MIN_POSITION_WAIT_MS = 5000;

export interface Checkpoint {
  readonly projection: string;
  readonly cursor: LogCursor;
  readonly position: number | null;
  readonly events: number;
}

/** The read models' projections, by name: what a read may wait for. */
export const PROJECTION_NAMES = [
  'directory',
  'balances',
  'ledger-lines',
  'funds',
  'stations',
  'leaderboards',
  'selections',
  'principals',
  'tasks',
  'hazards',
] as const;
export type ProjectionName = (typeof PROJECTION_NAMES)[number];

export class ProjectionLagging extends Error {
  readonly code = 'PROJECTION_LAGGING';
}

const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;
const logger = new Logger('projections');

/**
 * The read side: every projection's tables in one schema, each with its checkpoint row updated in
 * the same transaction as its rows, fed by a catch-up subscription per projection.
 */
export class ReadModels {
  private readonly progress = new EventEmitter();
  private running: { stop: AbortController; done: Promise<void> }[] = [];
  private lastWritten = 0;
  /** `position@projections` already seen applied (cleared when full). */
  private readonly applied = new Set<string>();

  private constructor(
    private readonly store: EventStore,
    private readonly sql: SqlClient,
    readonly schema: string,
    private readonly timeZone: string,
    readonly projections: readonly Projection[],
  ) {
    this.progress.setMaxListeners(0);
  }

  static async open(
    store: EventStore,
    sql: SqlClient,
    options: { schema: string; timeZone: string; projections?: readonly Projection[] },
  ): Promise<ReadModels> {
    if (!SCHEMA_NAME.test(options.schema))
      throw new Error(`bad read-model schema ${options.schema}`);
    const models = new ReadModels(
      store,
      sql,
      options.schema,
      options.timeZone,
      options.projections ?? PROJECTIONS,
    );
    await models.createTables();
    return models;
  }

  private async createTables(): Promise<void> {
    const s = this.schema;
    await this.sql.exec(`create schema if not exists ${s};
      create table if not exists ${s}.checkpoints (projection text primary key, cursor text not null,
        position bigint, events bigint not null, updated_at timestamptz not null default now());
      ${this.projections.map((p) => p.ddl(s)).join('\n')}
      ${this.projections.map((p) => `insert into ${s}.checkpoints (projection, cursor, position, events) values ('${p.name}', '', null, 0) on conflict do nothing;`).join('\n')}`);
  }

  /** Whether the live runners are on (a replay pauses them and puts them back as they were). */
  get isRunning(): boolean {
    return this.running.length > 0;
  }

  /** Starts one catch-up subscription per projection (idempotent). */
  start(): void {
    if (this.running.length > 0) return;
    this.running = this.projections.map((projection) => {
      const stop = new AbortController();
      return { stop, done: this.follow(projection, stop.signal) };
    });
  }

  async stop(): Promise<void> {
    for (const r of this.running) r.stop.abort();
    await Promise.all(this.running.map((r) => r.done));
    this.running = [];
  }

  async checkpoints(): Promise<Checkpoint[]> {
    const { rows } = await this.sql.query<{
      projection: string;
      cursor: string;
      position: string | number | null;
      events: string | number;
    }>(
      `select projection, cursor, position, events from ${this.schema}.checkpoints order by projection`,
    );
    return rows.map((r) => ({
      projection: r.projection,
      cursor: r.cursor,
      position: r.position === null ? null : Number(r.position),
      events: Number(r.events),
    }));
  }

  /**
   * Applies everything up to the log's head now (or up to and including `until`) to every
   * projection: tests, rebuilds, the CLI. Projections at the same checkpoint share one read of
   * the log and one transaction per batch.
   */
  async catchUp(
    options: { until?: LogCursor; onProgress?: (applied: number) => void } = {},
  ): Promise<number> {
    const byCursor = new Map<LogCursor, Projection[]>();
    const checkpoints = await this.checkpoints();
    for (const projection of this.projections) {
      const cursor = checkpoints.find((c) => c.projection === projection.name)?.cursor ?? START;
      byCursor.set(cursor, [...(byCursor.get(cursor) ?? []), projection]);
    }
    let applied = 0;
    for (const [start, projections] of byCursor) {
      let cursor = start;
      while (cursor !== options.until) {
        const events = await this.readUpTo(cursor, options.until);
        if (events.length === 0) break;
        await this.applyBatch(projections, events);
        cursor = events[events.length - 1].cursor;
        applied += events.length;
        options.onProgress?.(applied);
      }
    }
    return applied;
  }

  /** Up to CATCH_UP_BATCH events after `cursor`, stopping after `until` when it comes. */
  private async readUpTo(cursor: LogCursor, until: LogCursor | undefined): Promise<StoredEvent[]> {
    const events: StoredEvent[] = [];
    let after = cursor;
    while (events.length < CATCH_UP_BATCH) {
      const page = await this.store.readAll({ after, limit: CATCH_UP_BATCH - events.length });
      const stopAt = until === undefined ? -1 : page.events.findIndex((e) => e.cursor === until);
      events.push(...(stopAt >= 0 ? page.events.slice(0, stopAt + 1) : page.events));
      if (stopAt >= 0 || page.events.length === 0) break;
      after = page.cursor;
    }
    return events;
  }

  /** A write this process acknowledged: every later read waits until the read models hold it. */
  noteWritten(position: number): void {
    if (position > this.lastWritten) this.lastWritten = position;
  }

  /**
   * Read-your-writes: resolves when every projection has applied the event at `position` (a
   * client's `minPosition`) and every write this process has acknowledged; ProjectionLagging
   * after `timeoutMs`. Positions already seen applied answer without a query.
   */
  async waitFor(position = 0, timeoutMs = MIN_POSITION_WAIT_MS): Promise<void> {
    await this.waitForNamed(this.names, position, timeoutMs);
  }

  /**
   * The same for a read that uses only `projections`: the others may lag behind without delaying
   * it (a balance read does not wait for the leaderboards).
   */
  async waitForProjections(
    projections: readonly ProjectionName[],
    position = 0,
    timeoutMs = MIN_POSITION_WAIT_MS,
  ): Promise<void> {
    await this.waitForNamed(projections, position, timeoutMs);
  }

  private async waitForNamed(
    projections: readonly string[],
    position: number,
    timeoutMs: number,
  ): Promise<void> {
    const unknown = projections.filter((name) => !this.names.includes(name));
    if (unknown.length > 0) throw new Error(`no such projection: ${unknown.join(', ')}`);
    await this.waitForPosition(this.lastWritten, timeoutMs, projections);
    if (position > 0 && position !== this.lastWritten)
      await this.waitForPosition(position, timeoutMs, projections);
  }

  private get names(): readonly string[] {
    return this.projections.map((p) => p.name);
  }

  private async waitForPosition(
    position: number,
    timeoutMs: number,
    projections: readonly string[],
  ): Promise<void> {
    // An applied position stays applied; a lower one may not be (the global-order gap), so
    // the cache answers only for the very positions (and projections) it checked.
    const known = `${position}@${projections.join(',')}`;
    if (position <= 0 || this.applied.has(known)) return;
    const wanted = new Set(projections);
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      // Projections that are caught up share a cursor: ask the store once per cursor.
      const cursors = new Set(
        (await this.checkpoints()).filter((c) => wanted.has(c.projection)).map((c) => c.cursor),
      );
      const reached = await Promise.all(
        [...cursors].map((cursor) => this.store.hasReached(cursor, position)),
      );
      if (reached.every(Boolean)) {
        if (this.applied.size >= APPLIED_CACHE) this.applied.clear();
        this.applied.add(known);
        return;
      }
      const left = deadline - Date.now();
      if (left <= 0)
        throw new ProjectionLagging(
          `read models have not reached position ${position} within ${timeoutMs} ms`,
        );
      await new Promise<void>((resolve) => {
        const progress = this.progress;
        const timer = setTimeout(done, Math.min(left, RECHECK_MS));
        progress.once('batch', done);
        function done(): void {
          clearTimeout(timer);
          // When the timer wins, the listener must go too: where no runner emits (the API beside
          // a worker), every wait left one behind, with its timer and promise (the soak found it).
          progress.off('batch', done);
          resolve();
        }
      });
    }
  }

  /** Resolves when every projection has applied everything the log held when this was called. */
  async waitForHead(timeoutMs = MIN_POSITION_WAIT_MS): Promise<void> {
    const head = this.store.positionOf(await this.store.headCursor());
    if (head !== null) await this.waitFor(head, timeoutMs);
  }

  /** One statement, no transaction around it (a statement is its own snapshot): one round trip. */
  query<R>(text: string, params: readonly unknown[] = []): Promise<{ rows: R[] }> {
    return this.sql.query<R>(text, params);
  }

  /** Runs `read` in a transaction (one snapshot): the rows and the checkpoint agree. */
  read<T>(read: (query: SqlQuery) => Promise<T>): Promise<T> {
    return this.sql.transaction(read);
  }

  /**
   * Follows the log for one projection; after a failure (the store away, a bug) it waits and
   * resumes from its checkpoint. A run of failures is logged once, and again when it ends.
   */
  private async follow(projection: Projection, signal: AbortSignal): Promise<void> {
    let failingSince: number | undefined;
    while (!signal.aborted) {
      try {
        const [checkpoint] = (await this.checkpoints()).filter(
          (c) => c.projection === projection.name,
        );
        for await (const batch of batches(
          this.store.subscribe({ after: checkpoint.cursor, signal }),
          signal,
        )) {
          await this.applyBatch([projection], batch);
          if (failingSince !== undefined) {
            logger.log({
              msg: 'projection resumed',
              projection: projection.name,
              afterMs: Date.now() - failingSince,
            });
            failingSince = undefined;
          }
        }
      } catch (error) {
        if (signal.aborted) return;
        if (failingSince === undefined) {
          failingSince = Date.now();
          const unavailable = (error as { code?: unknown }).code === 'STORE_UNAVAILABLE';
          const fields = {
            msg: 'projection failed; resuming from its checkpoint',
            projection: projection.name,
            error: String(error),
          };
          if (unavailable) logger.warn(fields);
          else logger.error({ ...fields, stack: (error as Error).stack });
        }
        await new Promise((resolve) => setTimeout(resolve, RETRY_AFTER_MS));
      }
    }
  }

  /** One transaction: the batch's rows and the checkpoints move together, or not at all. */
  private async applyBatch(
    projections: readonly Projection[],
    events: readonly StoredEvent[],
  ): Promise<void> {
    const context = { schema: this.schema, timeZone: this.timeZone };
    const last = events[events.length - 1];
    const batch = events.flatMap((stored) =>
      isLedgerEventType(stored.type)
        ? [{ event: { type: stored.type, data: stored.data } as unknown as LedgerEvent, stored }]
        : [],
    );
    await this.sql.transaction(async (query) => {
      for (const projection of projections) {
        await projection.applyBatch(batch, query, context);
        await query(
          `update ${this.schema}.checkpoints set cursor = $2, position = $3, events = events + $4, updated_at = now() where projection = $1`,
          [projection.name, last.cursor, last.position, events.length],
        );
      }
    });
    this.progress.emit('batch');
  }
}

/** Groups a subscription into batches: up to PROJECTION_BATCH events, flushed when the stream pauses. */
async function* batches(
  source: AsyncIterable<StoredEvent>,
  signal: AbortSignal,
): AsyncGenerator<StoredEvent[]> {
  const iterator = source[Symbol.asyncIterator]();
  let pending: Promise<IteratorResult<StoredEvent>> | undefined;
  let batch: StoredEvent[] = [];
  try {
    while (!signal.aborted) {
      pending ??= iterator.next();
      const next =
        batch.length === 0 ? await pending : await Promise.race([pending, delay(FLUSH_AFTER_MS)]);
      if (next === undefined) {
        yield batch;
        batch = [];
        continue;
      }
      pending = undefined;
      if (next.done) break;
      batch.push(next.value);
      if (batch.length >= PROJECTION_BATCH) {
        yield batch;
        batch = [];
      }
    }
    if (batch.length > 0 && !signal.aborted) yield batch;
  } finally {
    await iterator.return?.();
  }
}

function delay(ms: number): Promise<undefined> {
  return new Promise((resolve) => setTimeout(() => resolve(undefined), ms));
}

/** Counting lag stops here: "at least this many" is all a health check needs. */
export const MAX_COUNTED_LAG = 10_000;

/** Events each projection still has to apply (counted up to MAX_COUNTED_LAG). */
export async function projectionLag(
  models: ReadModels,
  store: EventStore,
): Promise<Record<string, number>> {
  const lag: Record<string, number> = {};
  for (const checkpoint of await models.checkpoints()) {
    let behind = 0;
    let cursor = checkpoint.cursor;
    while (behind < MAX_COUNTED_LAG) {
      const page = await store.readAll({ after: cursor, limit: 1000 });
      if (page.events.length === 0) break;
      behind += page.events.length;
      cursor = page.cursor;
    }
    lag[checkpoint.projection] = Math.min(behind, MAX_COUNTED_LAG);
  }
  return lag;
}
