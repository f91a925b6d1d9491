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
import {
  advanceCheckpoint,
  advanceCheckpoints,
  CheckpointMoved,
  readCheckpoints,
  type CheckpointMove,
} from './checkpoints';
import type { Lease, LeaseHolder, ProjectionLeases } from './leases';
import type { ApplyContext, BatchEvent, Projection } from './projection';

/** Events applied per transaction by a live runner: bounds a transaction's length and a batch's memory. */
export const PROJECTION_BATCH = 500;
/** Events per transaction when catching up from far behind (rebuilds): fewer, larger statements. */
export const CATCH_UP_BATCH = 5000;
/**
 * Projections applying one page of a catch-up at once, each in its own transaction (and on its
 * own connection where there is a pool): PostgreSQL works on several while this process prepares
 * the next. With the page read ahead, a catch-up holds this many connections plus one.
 */
export const CATCH_UP_LANES = 3;
/** How long one statement of a rebuild's fold (`Projection.flush`) may run. */
const FLUSH_TIMEOUT_MS = 30 * 60_000;
/** A batch is flushed when the next event is not there within this long… */
const FLUSH_AFTER_MS = 5;
/**
 * …or once its first event has waited this long: under a steady load the log never pauses for
 * FLUSH_AFTER_MS, and a batch grew until it did, so reads waiting for a write waited ~40 ms at
 * the median (issue 13). Events keep coming in while a batch is applied, so batches stay large.
 */
const MAX_BATCH_AGE_MS = 10;
/** After a failed batch (database down, a bug) the runner waits this long, then resumes from its checkpoint. */
const RETRY_AFTER_MS = 1000;

const logger = new Logger('projections');

/** A projection this process follows under its lease. */
interface Follower {
  readonly lease: Lease;
  readonly stop: AbortController;
  readonly done: Promise<void>;
}

/**
 * Applies the log to projections: live (a catch-up subscription per projection this process holds
 * the lease of) or up to a point (`catchUp`). Every batch is one transaction with its checkpoint,
 * moved by compare-and-set (`advanceCheckpoint`), so a batch is applied once however many
 * processes run; `progress` hears of every batch applied (read-your-writes listens).
 *
 * Live, a keeper renews the leases held every third of the lease, gives up those it lost, and
 * takes free or expired ones up to this process's share (projections ÷ processes running them,
 * rounded up), giving back any above it: several workers split the projections, and when one
 * dies the others take its projections within a lease and a third.
 */
export class ProjectionRunner {
  private keeper:
    { stop: AbortController; done: Promise<void>; firstTick: Promise<void> } | undefined;
  private readonly followers = new Map<string, Follower>();
  /** Where this process starts looking for free projections, so processes spread. */
  private readonly offset: number;
  /** Moves of checkpoints whose batches wrote nothing, several projections' in one statement. */
  private readonly moves: CheckpointMoves;

  constructor(
    private readonly store: EventStore,
    private readonly sql: SqlClient,
    private readonly schema: string,
    private readonly timeZone: string,
    private readonly projections: readonly Projection[],
    private readonly progress: EventEmitter,
    private readonly leases: ProjectionLeases,
    /** No other process can open this store (the embedded folder): leases left are a dead one's. */
    private readonly alone = false,
  ) {
    this.offset = Math.floor(Math.random() * projections.length);
    this.moves = new CheckpointMoves(sql, schema);
  }

  get isRunning(): boolean {
    return this.keeper !== undefined;
  }

  /** This process's name in the lease table. */
  get holder(): string {
    return this.leases.holder;
  }

  /** The projections this process follows now. */
  held(): string[] {
    return [...this.followers.keys()].sort();
  }

  /** Who holds each projection now. */
  holders(): Promise<LeaseHolder[]> {
    return this.leases.holders(this.projections.map((p) => p.name));
  }

  /**
   * Starts the keeper, which takes this process's share of the projections (idempotent); resolves
   * once its first round is done (the projections free then are followed), failed or not.
   */
  start(): Promise<void> {
    if (!this.keeper) {
      const stop = new AbortController();
      let ticked: () => void = () => undefined;
      const firstTick = new Promise<void>((resolve) => (ticked = resolve));
      this.keeper = { stop, done: this.keep(stop.signal, ticked), firstTick };
    }
    return this.keeper.firstTick;
  }

  /** Stops following and gives every lease back, so other processes take over at once. */
  async stop(): Promise<void> {
    if (!this.keeper) return;
    this.keeper.stop.abort();
    await this.keeper.done;
    this.keeper = undefined;
    await Promise.all([...this.followers.keys()].map((name) => this.drop(name, 'stopped')));
    await this.leases.leave().catch(() => undefined);
  }

  private async keep(signal: AbortSignal, ticked: () => void): Promise<void> {
    let failing = false;
    let forgotten = !this.alone;
    while (!signal.aborted) {
      try {
        if (!forgotten) await this.leases.forgetOthers();
        forgotten = true;
        await this.tick(signal);
        if (failing) logger.log({ msg: 'projection leases reachable again', holder: this.holder });
        failing = false;
      } catch (error) {
        if (!failing)
          logger.warn({
            msg: 'projection leases: renewal failed',
            holder: this.holder,
            error: String(error),
          });
        failing = true;
      }
      ticked();
      await delay(this.leases.leaseMs / 3, signal);
    }
    ticked(); // stopped before its first round: nobody waits for ever
  }

  /** Renews, gives up what was lost or is above the share, takes free projections up to it. */
  private async tick(signal: AbortSignal): Promise<void> {
    const running = await this.leases.heartbeat();
    for (const [name, follower] of this.followers)
      if (!(await this.leases.renew(follower.lease))) await this.drop(name, 'lost');
    const share = Math.ceil(this.projections.length / running);
    for (const name of this.held().slice(share)) await this.drop(name, 'shared');
    const n = this.projections.length;
    for (let i = 0; i < n && this.followers.size < share && !signal.aborted; i++) {
      const projection = this.projections[(this.offset + i) % n];
      if (this.followers.has(projection.name)) continue;
      const lease = await this.leases.acquire(projection.name);
      if (!lease) continue;
      const stop = new AbortController();
      const done = this.follow(projection, lease, stop.signal);
      this.followers.set(projection.name, { lease, stop, done });
      logger.log({
        msg: 'projection taken',
        projection: projection.name,
        holder: this.holder,
        epoch: lease.epoch,
      });
    }
  }

  /** Stops following a projection; its lease is given back unless it was lost. */
  private async drop(name: string, why: 'lost' | 'shared' | 'stopped'): Promise<void> {
    const follower = this.followers.get(name);
    if (!follower) return;
    this.followers.delete(name);
    follower.stop.abort();
    await follower.done;
    if (why !== 'lost') await this.leases.release(follower.lease).catch(() => undefined);
    const msg = why === 'lost' ? 'projection lease lost' : 'projection given back';
    (why === 'lost' ? logger.warn : logger.log).call(logger, {
      msg,
      projection: name,
      holder: this.holder,
      why,
    });
  }

  /**
   * Applies everything up to the log's head now (or up to and including `until`) to every
   * projection. Projections at the same checkpoint share one read of the log; the next page is
   * read while one is applied, and the projections apply a page side by side, each in its own
   * transaction with its checkpoint, CATCH_UP_LANES at once (issue 14: one transaction for all,
   * one projection after another, left both cores mostly idle).
   */
  async catchUp(
    options: {
      until?: LogCursor;
      /** After each page: events applied so far, and the cursor the page reached. */
      onProgress?: (applied: number, reached: LogCursor) => void;
      /** Events per transaction (default CATCH_UP_BATCH): smaller lets other work in between. */
      batch?: number;
      /**
       * A rebuild nobody reads meanwhile: projections may put work off to the end (`flush`,
       * run before this resolves; see `ApplyContext.deferred`).
       */
      deferred?: boolean;
    } = {},
  ): Promise<number> {
    const applied = await this.catchUpGroups(options);
    if (options.deferred) await this.flush();
    return applied;
  }

  /** What deferred batches put off, finished: each projection's `flush` in its own transaction. */
  private async flush(): Promise<void> {
    const context = { schema: this.schema, timeZone: this.timeZone };
    for (const projection of this.projections)
      if (projection.flush)
        await this.sql.transaction(
          (query) => (projection.flush as NonNullable<Projection['flush']>)(query, context),
          // A city's fold is one long statement by nature (tens of seconds for a million events).
          { statementTimeoutMs: FLUSH_TIMEOUT_MS },
        );
  }

  private async catchUpGroups(options: CatchUpOptions): Promise<number> {
    const byCursor = new Map<LogCursor, Projection[]>();
    const checkpoints = await readCheckpoints(this.sql, this.schema);
    for (const projection of this.projections) {
      const cursor = checkpoints.find((c) => c.projection === projection.name)?.cursor ?? START;
      byCursor.set(cursor, [...(byCursor.get(cursor) ?? []), projection]);
    }
    let applied = 0;
    for (const [start, projections] of byCursor) {
      try {
        applied += await this.catchUpFrom(start, projections, options, applied);
      } catch (error) {
        // Another process moved a checkpoint meanwhile: start again from where they all stand.
        if (error instanceof CheckpointMoved) return applied + (await this.catchUpGroups(options));
        throw error;
      }
    }
    return applied;
  }

  private async catchUpFrom(
    start: LogCursor,
    projections: readonly Projection[],
    options: CatchUpOptions,
    before: number,
  ): Promise<number> {
    const read = (after: LogCursor) => {
      if (after === options.until) return undefined;
      const page = this.readUpTo(after, options.until, options.batch);
      page.catch(() => undefined); // met when awaited; not unhandled if applying fails first
      return page;
    };
    let applied = 0;
    let cursor = start;
    for (let next = read(cursor); next;) {
      const events = await next;
      if (events.length === 0) break;
      const last = events[events.length - 1].cursor;
      next = read(last);
      await this.applyInLanes(projections, cursor, events, options.deferred ?? false);
      cursor = last;
      applied += events.length;
      options.onProgress?.(before + applied, last);
    }
    return applied;
  }

  /** One page to each projection in its own transaction, CATCH_UP_LANES at once. */
  private async applyInLanes(
    projections: readonly Projection[],
    from: LogCursor,
    events: readonly StoredEvent[],
    deferred: boolean,
  ): Promise<void> {
    const batch = upcastAll(events);
    const waiting = [...projections];
    const lane = async () => {
      for (let next = waiting.shift(); next; next = waiting.shift())
        await this.applyBatch([next], from, events, { batch, deferred });
    };
    const lanes = Array.from({ length: Math.min(CATCH_UP_LANES, projections.length) }, lane);
    const failed = (await Promise.allSettled(lanes)).find((r) => r.status === 'rejected');
    if (failed) throw failed.reason;
  }

  /** Up to `size` events after `cursor`, stopping after `until` when it comes. */
  private async readUpTo(
    cursor: LogCursor,
    until: LogCursor | undefined,
    size = CATCH_UP_BATCH,
  ): Promise<StoredEvent[]> {
    const events: StoredEvent[] = [];
    let after = cursor;
    while (events.length < size) {
      const page = await this.store.readAll({ after, limit: size - events.length });
      const stopAt = until === undefined ? -1 : page.events.findIndex((e) => e.cursor === until);
      events.push(...(stopAt >= 0 ? page.events.slice(0, stopAt + 1) : page.events));
      if (stopAt >= 0 || page.events.length === 0) break;
      after = page.cursor;
    }
    return events;
  }

  /**
   * Follows the log for one projection under its lease; after a failure (the store away, a bug,
   * the checkpoint moved by another process) it waits and resumes from its checkpoint. A run of
   * failures is logged once, and again when it ends.
   */
  private async follow(projection: Projection, lease: Lease, signal: AbortSignal): Promise<void> {
    let failingSince: number | undefined;
    while (!signal.aborted) {
      try {
        const checkpoints = await readCheckpoints(this.sql, this.schema);
        let after = checkpoints.find((c) => c.projection === projection.name)?.cursor ?? START;
        for await (const batch of batches(this.store.subscribe({ after, signal }), signal)) {
          await this.applyBatch([projection], after, batch, { lease });
          after = batch[batch.length - 1].cursor;
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
        await delay(RETRY_AFTER_MS, signal);
      }
    }
  }

  /**
   * One transaction: the checkpoints move from `from` (compare-and-set, fenced by `lease` when
   * live) and the batch's rows are written, together or not at all. A batch that asks nothing of
   * any of the projections (an award, to the tasks projection) only moves their checkpoints, in
   * one statement each: most projections skip most events, and a transaction of four round trips
   * for nothing was most of the projections' cost under an award load (issue 13).
   */
  private async applyBatch(
    projections: readonly Projection[],
    from: LogCursor,
    events: readonly StoredEvent[],
    options: { lease?: Lease; batch?: readonly BatchEvent[]; deferred?: boolean } = {},
  ): Promise<void> {
    const { lease, batch = upcastAll(events), deferred = false } = options;
    const context = { schema: this.schema, timeZone: this.timeZone, deferred };
    const last = events[events.length - 1];
    const move = { from, last, count: events.length, ...(lease && { lease }) };
    if (await nothingToWrite(projections, batch, context)) {
      await Promise.all(
        projections.map((projection) =>
          this.moves.advance({ projection: projection.name, ...move }),
        ),
      );
    } else {
      await this.sql.transaction(
        async (query) => {
          for (const projection of projections)
            await advanceCheckpoint(query, this.schema, projection.name, move);
          for (const projection of projections) await projection.applyBatch(batch, query, context);
        },
        // A holder frozen mid-batch (SIGSTOP) must not keep the checkpoint's row locked for ever.
        lease ? { idleTimeoutMs: this.leases.leaseMs } : {},
      );
    }
    this.progress.emit('batch');
    // On the embedded store a statement resolves without waiting for any I/O, so a run of
    // batches would never let the event loop take a request: a replay froze the API for its
    // whole 31 s (issue 13). One turn per batch lets requests in.
    await yieldToEventLoop();
  }
}

type CatchUpOptions = NonNullable<Parameters<ProjectionRunner['catchUp']>[0]>;

/** The events of a page as the domain reads them (those no projection knows are left out). */
function upcastAll(events: readonly StoredEvent[]): BatchEvent[] {
  return events.flatMap((stored): BatchEvent[] => {
    const event = upcast(stored);
    return event ? [{ event, stored }] : [];
  });
}

/** Resolves after the event loop has taken the I/O that was waiting. */
export function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/**
 * Checkpoint moves of batches that wrote nothing, gathered for one turn of the event loop and
 * made in one statement (`advanceCheckpoints`): the projections of a process read the same page
 * of the log at the same moment, and most have nothing to write for it (issue 13). Each move
 * fails with CheckpointMoved on its own, as `advanceCheckpoint` would.
 */
class CheckpointMoves {
  private waiting: {
    move: CheckpointMove;
    resolve: () => void;
    reject: (error: unknown) => void;
  }[] = [];

  constructor(
    private readonly sql: SqlClient,
    private readonly schema: string,
  ) {}

  advance(move: CheckpointMove): Promise<void> {
    return new Promise((resolve, reject) => {
      if (this.waiting.length === 0) setImmediate(() => void this.flush());
      this.waiting.push({ move, resolve, reject });
    });
  }

  private async flush(): Promise<void> {
    // One move per projection a statement (two would both read as moved); the rest go next.
    const seen = new Set<string>();
    const moves = this.waiting.filter(
      (m) => !seen.has(m.move.projection) && !!seen.add(m.move.projection),
    );
    this.waiting = this.waiting.filter((m) => !moves.includes(m));
    if (this.waiting.length > 0) setImmediate(() => void this.flush());
    if (moves.length === 0) return;
    try {
      const moved = await advanceCheckpoints(
        (text, params) => this.sql.query(text, params),
        this.schema,
        moves.map((m) => m.move),
      );
      for (const { move, resolve, reject } of moves)
        if (moved.has(move.projection)) resolve();
        else reject(new CheckpointMoved(move.projection));
    } catch (error) {
      for (const { reject } of moves) reject(error);
    }
  }
}

/** Thrown by the probe of `nothingToWrite` at a projection's first statement. */
class WouldWrite extends Error {}

/**
 * Whether no projection issues a single statement for `batch`: each is run against a probe that
 * stops it at its first statement. Projections compute in memory before they write (they hold no
 * state, a rebuild must give the same rows), so the probe leaves nothing behind.
 */
async function nothingToWrite(
  projections: readonly Projection[],
  batch: readonly BatchEvent[],
  context: ApplyContext,
): Promise<boolean> {
  const probe = (): Promise<never> => Promise.reject(new WouldWrite());
  try {
    for (const projection of projections) await projection.applyBatch(batch, probe, context);
    return true;
  } catch (error) {
    if (error instanceof WouldWrite) return false;
    throw error;
  }
}

function logFailure(projection: string, error: unknown): void {
  if (error instanceof CheckpointMoved) {
    logger.log({ msg: 'projection checkpoint moved elsewhere; resuming from it', projection });
    return;
  }
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
  let startedAt = 0;
  try {
    while (!signal.aborted) {
      if (!pending) {
        pending = iterator.next();
        // Read ahead: when the batch is handed on without waiting for it and applying it fails,
        // nobody awaits this read again; its failure (the store away) must not end the process.
        pending.catch(() => undefined);
      }
      const wait = Math.min(FLUSH_AFTER_MS, startedAt + MAX_BATCH_AGE_MS - Date.now());
      const next =
        batch.length === 0
          ? await pending
          : wait <= 0
            ? undefined
            : await Promise.race([pending, delay(wait)]);
      if (next === undefined) {
        yield batch;
        batch = [];
        continue;
      }
      pending = undefined;
      if (next.done) break;
      if (batch.length === 0) startedAt = Date.now();
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

/** Resolves after `ms`, or at once when `signal` aborts. */
function delay(ms: number, signal?: AbortSignal): Promise<undefined> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', done);
      resolve(undefined);
    }, ms);
    const done = () => {
      clearTimeout(timer);
      resolve(undefined);
    };
    signal?.addEventListener('abort', done, { once: true });
  });
}
