import {
  badgesDecider,
  isDomainError,
  upcast,
  BADGES_STREAM,
  type Actor,
  type AwardPoints,
  type BadgeThreshold,
  type FundEvent,
  type PendingAward,
  type PricedItem,
} from '@ledger/domain';
import {
  sleep,
  START,
  StoreUnavailable,
  type EventStore,
  type LogCursor,
  type StoredEvent,
} from '@ledger/event-store';
import { Logger } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import type { LedgerRequest } from '../write/ledger-request';
import type { StreamWriter } from '../write/stream-writer';
import { settleAward } from './award';
import { returnStock, returnToFund } from './corrections';
import { settleRedemption } from './redemption';
import type { RecoveryProgress } from './recovery-progress';

/**
 * A cross-stream act younger than this may still be finishing in the process that started it.
 * Acting on it too early is still safe (both sides are idempotent by entry id), only wasteful.
 */
export const RECOVERY_GRACE_MS = 30_000;
/** After an outage, recovery is tried this often (doubling up to the maximum) until a run succeeds. */
const AFTER_OUTAGE_RETRY_MS = 500;
const AFTER_OUTAGE_RETRY_MAX_MS = 5000;

const logger = new Logger('settlement-recovery');
const noop = (): void => undefined;

/** The ledger itself, acting as the recovery process in metadata. */
const RECOVERY_ACTOR: Actor = {
  principalId: 'system:recovery',
  role: 'admin',
  communityIds: [],
  stationIds: [],
};

type FundReserved = Extract<FundEvent, { type: 'FundPointsReserved' }>['data'];

interface OpenWork {
  /** `position`: the reservation's (absent in progress saved before it was kept). */
  awards: Map<string, { reserved: FundReserved; at: Date; position?: number }>;
  stock: Map<
    string,
    { stationId: string; riderId: string; items: PricedItem[]; points: number; at: Date }
  >;
  fundReturns: Map<string, { fundId: string; reversalOf: string; points: number; at: Date }>;
  stockReturns: Map<string, { stationId: string; at: Date }>;
}

export interface RecoveryReport {
  eventsScanned: number;
  awardsCompleted: number;
  awardsReleased: number;
  redemptionsCompleted: number;
  redemptionsReleased: number;
  fundReturns: number;
  stockReturns: number;
}

const NOTHING_FINISHED: Omit<RecoveryReport, 'eventsScanned'> = {
  awardsCompleted: 0,
  awardsReleased: 0,
  redemptionsCompleted: 0,
  redemptionsReleased: 0,
  fundReturns: 0,
  stockReturns: 0,
};

/**
 * Finishes cross-stream acts a crash left half done, from the log alone: an award reserved on a
 * fund but not credited, a redemption's stock reserved but not debited, a reversal not returned
 * to its fund, a cancellation whose stock did not go back. Each is completed (or, when the second
 * stream refuses, compensated) exactly as the request would have, so no point is made or lost.
 */
export class SettlementRecovery {
  /** What is still open, and how far the log has been read: each run reads only what is new. */
  private open: OpenWork = {
    awards: new Map(),
    stock: new Map(),
    fundReturns: new Map(),
    stockReturns: new Map(),
  };
  private cursor = START;
  /** Whether the saved progress has been looked at (once per process, at the first run). */
  private resumed = false;
  private running: Promise<RecoveryReport> | undefined;
  /** The last append whose outcome an outage left unknown, while recovery has not run since. */
  private outageAt: Date | undefined;
  private retrying: Promise<void> | undefined;
  private readonly stopped = new AbortController();

  constructor(
    private readonly store: EventStore,
    private readonly writer: StreamWriter,
    private readonly timeZone: string,
    /** Where runs save how far they read; without it every process reads the log from the start. */
    private readonly progress?: RecoveryProgress,
  ) {}

  /** One run at a time per process: a timer tick during a long first scan waits for it. */
  run(now: Date, graceMs = RECOVERY_GRACE_MS): Promise<RecoveryReport> {
    this.running ??= this.runOnce(now, graceMs).finally(() => (this.running = undefined));
    return this.running;
  }

  /**
   * An append failed with its outcome unknown at `at` (the store went away): the act it belonged
   * to may be half done, and the request that started it has given up. Recovery runs as soon as
   * the store answers again (tried every half second, then less often), for every act recorded up
   * to `at`, without waiting out the grace period: clients see the ledger whole within seconds of
   * the store's return. An act another process is still finishing may be finished twice over,
   * which is safe (both sides are idempotent by entry id).
   */
  finishAfterOutage(at: Date): void {
    if (this.stopped.signal.aborted) return;
    if (this.outageAt === undefined || at > this.outageAt) this.outageAt = at;
    this.retrying ??= this.retryAfterOutage().finally(() => (this.retrying = undefined));
  }

  /**
   * Entry ids of awards reserved on a fund and neither credited nor released, as the log shows
   * after a run begun now (so it has read every reservation made before this call).
   */
  async openAwards(now: Date, graceMs = RECOVERY_GRACE_MS): Promise<ReadonlySet<string>> {
    while (this.running) await this.running.then(noop, noop);
    await this.run(now, graceMs);
    return new Set(this.open.awards.keys());
  }

  /** Of the awards' entry ids `held`, those the log shows finished (credited or released). */
  async settledAmong(
    held: readonly string[],
    now: Date,
    graceMs = RECOVERY_GRACE_MS,
  ): Promise<ReadonlySet<string>> {
    const open = await this.openAwards(now, graceMs);
    return new Set(held.filter((entryId) => !open.has(entryId)));
  }

  /** Ends the retries after an outage (shutdown); a run under way finishes. */
  async stop(): Promise<void> {
    this.stopped.abort();
    await this.retrying;
  }

  private async retryAfterOutage(): Promise<void> {
    for (let wait = AFTER_OUTAGE_RETRY_MS; this.outageAt !== undefined;) {
      await sleep(wait, this.stopped.signal);
      if (this.stopped.signal.aborted) return;
      const upTo = this.outageAt;
      try {
        // A run under way ends first (its own caller hears how); this one reads after it.
        while (this.running) await this.running.then(noop, noop);
        const now = new Date();
        await this.run(now, Math.max(0, now.getTime() - upTo.getTime()));
        if (this.outageAt === upTo) this.outageAt = undefined;
        wait = AFTER_OUTAGE_RETRY_MS;
      } catch (error) {
        if (wait === AFTER_OUTAGE_RETRY_MS)
          logger.warn({ msg: 'settlement recovery waits for the store', error: String(error) });
        wait = Math.min(wait * 2, AFTER_OUTAGE_RETRY_MAX_MS); // still down
      }
    }
  }

  private async runOnce(now: Date, graceMs: number): Promise<RecoveryReport> {
    const eventsScanned = await this.scan();
    const cutoff = now.getTime() - graceMs;
    const due = <T extends { at: Date }>(acts: Map<string, T>): [string, T][] =>
      [...acts].filter(([, act]) => act.at.getTime() <= cutoff);
    const request: LedgerRequest = {
      context: { actor: RECOVERY_ACTOR, now, timeZone: this.timeZone },
      correlationId: randomUUID(),
    };
    const badges = (await this.writer.read(badgesDecider, BADGES_STREAM, this.timeZone)).state
      .badges;
    const report = { eventsScanned, ...NOTHING_FINISHED };
    for (const [, { reserved, position }] of due(this.open.awards)) {
      const command = toAwardCommand(reserved, reserved.award, badges);
      // A reservation made after its award (a stalled retry's second) goes back.
      const outcome = await settleAward(this.writer, command, request, {
        reserve: false,
        ...(position !== undefined && { heldAt: position }),
      });
      if (isDomainError(outcome)) report.awardsReleased++;
      else report.awardsCompleted++;
    }
    for (const [redemptionId, held] of due(this.open.stock)) {
      const { stationId, riderId, items, points } = held;
      const debit = {
        type: 'MakeRedemption' as const,
        redemptionId,
        riderId,
        stationId,
        items,
        points,
      };
      const outcome = await settleRedemption(this.writer, debit, request);
      if (isDomainError(outcome)) report.redemptionsReleased++;
      else report.redemptionsCompleted++;
    }
    for (const [entryId, { fundId, reversalOf, points }] of due(this.open.fundReturns)) {
      const step = returnToFund({ fundId, entryId, reversalOf, points });
      if (!isDomainError(await step.run(this.writer, request))) report.fundReturns++;
    }
    for (const [redemptionId, { stationId }] of due(this.open.stockReturns)) {
      const step = returnStock(stationId, redemptionId);
      if (!isDomainError(await step.run(this.writer, request))) report.stockReturns++;
    }
    return report;
  }

  /**
   * Reads the log from where the last run stopped (in this process, or, at the first run, the last
   * saved by any process); the acts it finishes close in later reads. Saves how far it read and
   * what is open there. A save that fails costs only a longer read at the next start.
   */
  private async scan(): Promise<number> {
    if (!this.resumed) await this.resume();
    let scanned = 0;
    for (;;) {
      const page = await this.store.readAll({ after: this.cursor });
      if (page.events.length === 0) break;
      for (const stored of page.events) track(this.open, stored);
      scanned += page.events.length;
      this.cursor = page.cursor;
    }
    if (scanned > 0 && this.progress)
      await this.progress
        .save({ cursor: this.cursor, open: openWorkToJson(this.open) })
        .catch((error: unknown) =>
          // Costs only a longer read at the next start: the run itself goes on.
          logger.warn({
            msg: 'settlement recovery could not save its progress',
            error: String(error),
          }),
        );
    return scanned;
  }

  /** Takes up the saved progress, unless it does not fit this log (reset, or another store). */
  private async resume(): Promise<void> {
    const saved = await this.progress?.load();
    if (saved && (await this.isInLog(saved.cursor))) {
      const open = openWorkFromJson(saved.open);
      if (open) {
        this.open = open;
        this.cursor = saved.cursor;
      }
    }
    this.resumed = true;
  }

  private async isInLog(cursor: LogCursor): Promise<boolean> {
    let position: number | null;
    try {
      position = this.store.positionOf(cursor);
    } catch {
      return false; // a cursor of another store
    }
    if (position === null) return false;
    try {
      return await this.store.hasReached(await this.store.headCursor(), position);
    } catch (error) {
      if (error instanceof StoreUnavailable) throw error;
      return false; // the store cannot place the cursor: progress of another log, read afresh
    }
  }
}

type Dated<T> = T & { at: Date };
type OpenWorkJson = { [K in keyof OpenWork]: [string, unknown][] };

function openWorkToJson(open: OpenWork): OpenWorkJson {
  const entries = <T>(map: Map<string, Dated<T>>): [string, unknown][] =>
    [...map].map(([id, act]) => [id, { ...act, at: act.at.toISOString() }]);
  return {
    awards: entries(open.awards),
    stock: entries(open.stock),
    fundReturns: entries(open.fundReturns),
    stockReturns: entries(open.stockReturns),
  };
}

/** The open acts as saved; `undefined` when the saved value is not in the expected shape. */
function openWorkFromJson(json: unknown): OpenWork | undefined {
  const saved = json as Partial<OpenWorkJson> | null;
  const keys = ['awards', 'stock', 'fundReturns', 'stockReturns'] as const;
  if (!saved || keys.some((key) => !Array.isArray(saved[key]))) return undefined;
  const map = <T>(entries: [string, unknown][]): Map<string, Dated<T>> =>
    new Map(
      entries.map(([id, act]) => {
        const { at, ...rest } = act as T & { at: string };
        return [id, { ...rest, at: new Date(at) } as Dated<T>];
      }),
    );
  const s = saved as OpenWorkJson;
  return {
    awards: map(s.awards),
    stock: map(s.stock),
    fundReturns: map(s.fundReturns),
    stockReturns: map(s.stockReturns),
  };
}

function track(open: OpenWork, stored: StoredEvent): void {
  const event = upcast(stored);
  if (!event) return;
  const at = stored.recordedAt;
  switch (event.type) {
    case 'FundPointsReserved':
      open.awards.set(event.data.entryId, { reserved: event.data, at, position: stored.position });
      break;
    case 'FundReservationReleased':
    case 'PointsAwarded':
      open.awards.delete(event.data.entryId);
      break;
    case 'StockReserved':
      open.stock.set(event.data.redemptionId, { ...event.data, at });
      break;
    case 'StockReservationReleased':
    case 'RedemptionMade':
      open.stock.delete(event.data.redemptionId);
      break;
    case 'AwardReversed':
      open.fundReturns.set(event.data.entryId, {
        fundId: event.data.fundId,
        reversalOf: event.data.reversalOf,
        points: event.data.points,
        at,
      });
      break;
    case 'FundPointsReturned':
      open.fundReturns.delete(event.data.entryId);
      break;
    case 'RedemptionCancelled':
      open.stockReturns.set(event.data.redemptionId, { stationId: event.data.stationId, at });
      break;
    case 'StockReturned':
      open.stockReturns.delete(event.data.redemptionId);
      break;
    default:
      break;
  }
}

function toAwardCommand(
  reserved: FundReserved,
  award: PendingAward,
  badges: readonly BadgeThreshold[],
): AwardPoints {
  return {
    ...award,
    type: 'AwardPoints' as const,
    entryId: reserved.entryId,
    riderId: reserved.riderId,
    points: reserved.points,
    fundId: reserved.fundId,
    badges,
  };
}
