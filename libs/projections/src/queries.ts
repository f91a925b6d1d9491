import type { ReadModels } from './read-models';

export interface BalanceView {
  riderId: string;
  balance: number;
  earned: number;
  redeemed: number;
  reversed: number;
  /** The log position the balances read model had reached when read. */
  position: number;
}

export interface LedgerLineView {
  entryId: string;
  type: string;
  points: number;
  balanceAfter: number;
  activity?: string;
  reason?: string;
  stationId?: string;
  actor: string;
  occurredAt: string;
  recordedAt: string;
  position: number;
}

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

export interface LeaderboardRow {
  rank: number;
  riderId: string;
  points: number;
}

export interface FundView {
  id: string;
  name: string;
  district: string;
  budgetPoints: number;
  awardedPoints: number;
  reversedPoints: number;
  remainingPoints: number;
}

interface LedgerLineRow {
  entry_id: string;
  type: string;
  revision: number | string;
  points: number | string;
  balance_after: number | string;
  activity: string | null;
  reason: string | null;
  station_id: string | null;
  actor: string;
  occurred_at: Date;
  recorded_at: Date;
  position: number | string;
}

/** Where a ledger entry (an award or a redemption) lives: its rider, station and community. */
export interface EntryView {
  entryId: string;
  type: string;
  riderId: string;
  communityId: string;
  stationId: string | null;
}

export type SelectionView =
  | { id: string; status: 'open' }
  | { id: string; status: 'closed'; cutoffPosition: number; winners: LeaderboardRow[] };

/** Page sizes of the API: 1–1000, default 100. */
export const MAX_PAGE = 1000;

const num = (v: unknown): number => Number(v);
const iso = (v: unknown): string => (v instanceof Date ? v : new Date(String(v))).toISOString();

/** The read models' queries: plain SQL over the projection tables, paged by opaque cursors. */
export class ReadQueries {
  constructor(private readonly models: ReadModels) {}

  private get s(): string {
    return this.models.schema;
  }

  async balance(riderId: string): Promise<BalanceView | undefined> {
    // The figures and the position of the log they reflect, in one statement (one snapshot).
    const { rows } = await this.models.query<Record<string, unknown>>(
      `select b.*, c.position from ${this.s}.balances b
       cross join ${this.s}.checkpoints c where b.rider_id = $1 and c.projection = 'balances'`,
      [riderId],
    );
    if (rows.length === 0) return undefined;
    const r = rows[0];
    return {
      riderId,
      balance: num(r.balance),
      earned: num(r.earned),
      redeemed: num(r.redeemed),
      reversed: num(r.reversed),
      position: num(r.position ?? 0),
    };
  }

  /** Oldest first; the cursor is the last line's revision in the rider's stream. */
  async ledger(
    riderId: string,
    options: { limit: number; cursor?: string },
  ): Promise<Page<LedgerLineView>> {
    const after = options.cursor === undefined ? -1 : Number(options.cursor);
    const { rows } = await this.models.query<LedgerLineRow>(
      `select * from ${this.s}.ledger_lines where rider_id = $1 and revision > $2 order by revision limit $3`,
      [riderId, after, options.limit + 1],
    );
    const items = rows.slice(0, options.limit).map((r) => ({
      entryId: r.entry_id,
      type: r.type,
      points: num(r.points),
      balanceAfter: num(r.balance_after),
      ...(r.activity !== null && { activity: r.activity }),
      ...(r.reason !== null && { reason: r.reason }),
      ...(r.station_id !== null && { stationId: r.station_id }),
      actor: r.actor,
      occurredAt: iso(r.occurred_at),
      recordedAt: iso(r.recorded_at),
      position: num(r.position),
    }));
    const last = rows[options.limit - 1];
    return {
      items,
      nextCursor: rows.length > options.limit && last ? String(num(last.revision)) : null,
    };
  }

  /** Points desc, then who reached the total first (lower position), then rider id. */
  async leaderboard(
    scope: string,
    period: string,
    options: { limit: number; cursor?: string },
  ): Promise<Page<LeaderboardRow>> {
    const offset = options.cursor === undefined ? 0 : Number(options.cursor);
    const { rows } = await this.models.query<{ rider_id: string; points: string | number }>(
      `select rider_id, points from ${this.s}.leaderboard_points where scope = $1 and period = $2 and points > 0
         order by points desc, reached_position, rider_id limit $3 offset $4`,
      [scope, period, options.limit + 1, offset],
    );
    const items = rows
      .slice(0, options.limit)
      .map((r, i) => ({ rank: offset + i + 1, riderId: r.rider_id, points: num(r.points) }));
    return {
      items,
      nextCursor: rows.length > options.limit ? String(offset + options.limit) : null,
    };
  }

  /** The ledger line that brought an entry in (its `award` or `redemption` line). */
  async entry(entryId: string, type: 'award' | 'redemption'): Promise<EntryView | undefined> {
    const { rows } = await this.models.query<{
      rider_id: string;
      community_id: string;
      station_id: string | null;
    }>(
      `select l.rider_id, r.community_id, l.station_id from ${this.s}.ledger_lines l
         join ${this.s}.riders r using (rider_id) where l.entry_id = $1 and l.type = $2`,
      [entryId, type],
    );
    if (rows.length === 0) return undefined;
    const r = rows[0];
    return {
      entryId,
      type,
      riderId: r.rider_id,
      communityId: r.community_id,
      stationId: r.station_id,
    };
  }

  async fund(fundId: string): Promise<FundView | undefined> {
    const { rows } = await this.models.query<Record<string, unknown>>(
      `select * from ${this.s}.funds where fund_id = $1`,
      [fundId],
    );
    if (rows.length === 0) return undefined;
    const r = rows[0];
    const budgetPoints = num(r.budget_points);
    const awardedPoints = num(r.awarded_points);
    const reversedPoints = num(r.reversed_points);
    return {
      id: fundId,
      name: String(r.name),
      district: String(r.district),
      budgetPoints,
      awardedPoints,
      reversedPoints,
      remainingPoints: budgetPoints - awardedPoints + reversedPoints,
    };
  }

  async selection(selectionId: string): Promise<SelectionView | undefined> {
    const { rows } = await this.models.query<{
      status: string;
      cutoff_position: string | number | null;
      winners: unknown;
    }>(`select * from ${this.s}.selections where selection_id = $1`, [selectionId]);
    if (rows.length === 0) return undefined;
    const r = rows[0];
    const winners = (
      typeof r.winners === 'string' ? JSON.parse(r.winners) : r.winners
    ) as LeaderboardRow[];
    return r.status === 'closed'
      ? { id: selectionId, status: 'closed', cutoffPosition: num(r.cutoff_position), winners }
      : { id: selectionId, status: 'open' };
  }

  async stock(
    stationId: string,
  ): Promise<{ sku: string; name: string; kind: string; pricePoints: number; stock: number }[]> {
    const { rows } = await this.models.query<Record<string, unknown>>(
      `select * from ${this.s}.station_items where station_id = $1 order by sku`,
      [stationId],
    );
    return rows.map((r) => ({
      sku: String(r.sku),
      name: String(r.name),
      kind: String(r.kind),
      pricePoints: num(r.price_points),
      stock: num(r.stock),
    }));
  }
}
