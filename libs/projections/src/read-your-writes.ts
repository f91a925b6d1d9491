import { parseStreamName, render, say, type Said } from '@ledger/domain';
import type { EventStore, SqlClient } from '@ledger/event-store';
import type { EventEmitter } from 'node:events';
import { readCheckpoints } from './checkpoints';

/** api.md: a read with `minPosition` waits at most 5 s, then answers PROJECTION_LAGGING. */
export const MIN_POSITION_WAIT_MS = 5000;
/** Positions known applied, kept for the fast path of reads (cleared when full). */
const APPLIED_CACHE = 1_000;
/** A waiting read checks again this often even without news from a runner in this process. */
const RECHECK_MS = 20;
/**
 * Riders whose last write is remembered one by one (a few hundred kilobytes); when there are more,
 * the oldest quarter is forgotten at once into a floor every rider read waits for. Their writes
 * are long projected by then, and a floor that moves seldom keeps reads on the cached fast path.
 */
const RIDERS_REMEMBERED = 4_000;

/** The stream a write went to, as read-your-writes needs it. */
export interface WrittenTo {
  readonly name: string;
  /** The write began the stream (a station's registration, not its stock). */
  readonly created: boolean;
}

export class ProjectionLagging extends Error {
  readonly code = 'PROJECTION_LAGGING';

  constructor(readonly said: Said) {
    super(render(said));
  }
}

/**
 * Read-your-writes: a read waits until the projections it uses hold a position (a client's
 * `minPosition`) and every write this process acknowledged (`noteWritten`), or answers
 * PROJECTION_LAGGING. Checkpoints are compared with `EventStore.hasReached`, in log order, so
 * this is right on PostgreSQL's gapped positions too.
 */
export class ReadYourWrites {
  private lastWritten = 0;
  /**
   * The last write a read of one rider waits for besides the rider's own: every write but those
   * to riders' streams, funds' streams and stations' stock (none of which changes what a rider
   * read shows: its balance, ledger, record, community, or a station's district).
   */
  private lastShared = 0;
  /** Each rider's last write acknowledged here, oldest first; a rider forgotten raises the floor. */
  private readonly riderLast = new Map<string, number>();
  private riderFloor = 0;
  /** `position@projections` already seen applied (cleared when full). */
  private readonly applied = new Set<string>();

  constructor(
    private readonly store: EventStore,
    private readonly sql: SqlClient,
    private readonly schema: string,
    /** Every projection's name: what a read may wait for. */
    private readonly names: readonly string[],
    /** Emits `batch` whenever a runner in this process applied one. */
    private readonly progress: EventEmitter,
  ) {}

  /**
   * A write this process acknowledged: every later read waits until the read models hold it, a
   * read of one rider only when it went to that rider or may change what such a read shows.
   * Without `stream` it counts for every read.
   */
  noteWritten(position: number, stream?: WrittenTo): void {
    if (position > this.lastWritten) this.lastWritten = position;
    const parsed = stream && parseStreamName(stream.name);
    if (parsed?.kind === 'rider') {
      const last = Math.max(position, this.riderLast.get(parsed.id) ?? 0);
      this.riderLast.delete(parsed.id); // to the end: the oldest stay first
      this.riderLast.set(parsed.id, last);
      if (this.riderLast.size > RIDERS_REMEMBERED)
        for (const [rider, at] of this.riderLast) {
          if (this.riderLast.size <= (RIDERS_REMEMBERED * 3) / 4) break;
          this.riderLast.delete(rider);
          this.riderFloor = Math.max(this.riderFloor, at);
        }
    } else if (parsed?.kind === 'fund' || (parsed?.kind === 'station' && !stream?.created)) {
      // An award's reservation, a redemption's stock: nothing a rider read shows.
    } else if (position > this.lastShared) this.lastShared = position;
  }

  /**
   * Waits for `position` and this process's writes in `projections` (all when left out): with
   * `riderId`, only the writes a read of that rider depends on (see `noteWritten`), so a station's
   * look-up does not wait for other riders' awards to be projected (issue 13).
   */
  async waitFor(
    projections: readonly string[] = this.names,
    position = 0,
    timeoutMs = MIN_POSITION_WAIT_MS,
    riderId?: string,
  ): Promise<void> {
    const unknown = projections.filter((name) => !this.names.includes(name));
    if (unknown.length > 0) throw new Error(`no such projection: ${unknown.join(', ')}`);
    const own =
      riderId === undefined
        ? this.lastWritten
        : Math.max(this.riderLast.get(riderId) ?? 0, this.riderFloor, this.lastShared);
    await this.waitForPosition(own, timeoutMs, projections);
    if (position > 0 && position !== own)
      await this.waitForPosition(position, timeoutMs, projections);
  }

  /** Resolves when every projection has applied everything the log held when this was called. */
  async waitForHead(timeoutMs = MIN_POSITION_WAIT_MS): Promise<void> {
    const head = this.store.positionOf(await this.store.headCursor());
    if (head !== null) await this.waitFor(this.names, head, timeoutMs);
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
      if (await this.reached(position, wanted)) {
        if (this.applied.size >= APPLIED_CACHE) this.applied.clear();
        this.applied.add(known);
        return;
      }
      const left = deadline - Date.now();
      if (left <= 0)
        throw new ProjectionLagging(
          say`read models have not reached position ${position} within ${timeoutMs} ms`,
        );
      await this.nextBatchOr(Math.min(left, RECHECK_MS));
    }
  }

  private async reached(position: number, projections: ReadonlySet<string>): Promise<boolean> {
    // Projections that are caught up share a cursor: ask the store once per cursor.
    const cursors = new Set(
      (await readCheckpoints(this.sql, this.schema))
        .filter((c) => projections.has(c.projection))
        .map((c) => c.cursor),
    );
    const reached = await Promise.all(
      [...cursors].map((cursor) => this.store.hasReached(cursor, position)),
    );
    return reached.every(Boolean);
  }

  private nextBatchOr(ms: number): Promise<void> {
    return new Promise<void>((resolve) => {
      const progress = this.progress;
      const timer = setTimeout(done, ms);
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
