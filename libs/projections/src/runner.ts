import { upcast } from '@ledger/domain';
import {
  START,
  type EventStore,
  type LogCursor,
  type SqlClient,
  type StoredEvent,
} from '@ledger/event-store';
import { Logger } from '@nestjs/common';
import type { EventEmitter } from 'node:events';
import { advanceCheckpoint, readCheckpoints } from './checkpoints';
import type { BatchEvent, Projection } from './projection';

/** Events applied per transaction by a live runner: bounds a transaction's length and a batch's memory. */
export const PROJECTION_BATCH = 500;
/** Events per transaction when catching up from far behind (rebuilds): fewer, larger statements. */
export const CATCH_UP_BATCH = 5000;
/** A batch is flushed when the next event is not there within this long. */
const FLUSH_AFTER_MS = 5;
/** After a failed batch (database down, a bug) the runner waits this long, then resumes from its checkpoint. */
const RETRY_AFTER_MS = 1000;

const logger = new Logger('projections');

/**
 * Applies the log to projections: live (one catch-up subscription per projection) or up to a
 * point (`catchUp`). Every batch is one transaction with its checkpoints; `progress` hears of
 * every batch applied (read-your-writes listens).
 */
export class ProjectionRunner {
  private running: { stop: AbortController; done: Promise<void> }[] = [];

  constructor(
    private readonly store: EventStore,
    private readonly sql: SqlClient,
    private readonly schema: string,
    private readonly timeZone: string,
    private readonly projections: readonly Projection[],
    private readonly progress: EventEmitter,
  ) {}

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

  /**
   * Applies everything up to the log's head now (or up to and including `until`) to every
   * projection. Projections at the same checkpoint share one read of the log and one
   * transaction per batch.
   */
  async catchUp(
    options: { until?: LogCursor; onProgress?: (applied: number) => void } = {},
  ): Promise<number> {
    const byCursor = new Map<LogCursor, Projection[]>();
    const checkpoints = await readCheckpoints(this.sql, this.schema);
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

  /**
   * Follows the log for one projection; after a failure (the store away, a bug) it waits and
   * resumes from its checkpoint. A run of failures is logged once, and again when it ends.
   */
  private async follow(projection: Projection, signal: AbortSignal): Promise<void> {
    let failingSince: number | undefined;
    while (!signal.aborted) {
      try {
        const checkpoints = await readCheckpoints(this.sql, this.schema);
        const after = checkpoints.find((c) => c.projection === projection.name)?.cursor ?? START;
        for await (const batch of batches(this.store.subscribe({ after, signal }), signal)) {
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
          logFailure(projection.name, error);
        }
        await delay(RETRY_AFTER_MS);
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
    const batch = events.flatMap((stored): BatchEvent[] => {
      const event = upcast(stored);
      return event ? [{ event, stored }] : [];
    });
    await this.sql.transaction(async (query) => {
      for (const projection of projections) {
        await projection.applyBatch(batch, query, context);
        await advanceCheckpoint(query, this.schema, projection.name, last, events.length);
      }
    });
    this.progress.emit('batch');
  }
}

function logFailure(projection: string, error: unknown): void {
  const fields = {
    msg: 'projection failed; resuming from its checkpoint',
    projection,
    error: String(error),
  };
  if ((error as { code?: unknown }).code === 'STORE_UNAVAILABLE') logger.warn(fields);
  else logger.error({ ...fields, stack: (error as Error).stack });
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
