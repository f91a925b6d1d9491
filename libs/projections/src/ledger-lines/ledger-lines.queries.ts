import type { Page, ReadDb } from '../read-db';
import { iso, num } from '../read-db';

export interface LedgerLineView {
  entryId: string;
  type: string;
  points: number;
  balanceAfter: number;
  activity?: string;
  reason?: string;
  stationId?: string;
  /** A redemption's items: sku, quantity and the price each was redeemed at. */
  items?: { sku: string; quantity: number; pricePoints: number }[];
  /** A reversal's line: the entry id of the award it undoes. */
  reversalOf?: string;
  /** An award's line: where it came from (issue 17). */
  source?: string;
  /**
   * An award's line: the principal that approved it, the `actor` or, for an award made from a
   * check-in, the principal that opened the check-in (whose code the rider typed).
   */
  approvedBy?: string;
  /** An award made from a check-in: the check-in. */
  checkInId?: string;
  /** The principal whose request made the entry (a rider, for a check-in's award). */
  actor: string;
  occurredAt: string;
  recordedAt: string;
  position: number;
}

/** Where a ledger entry (an award or a redemption) lives: its rider, station and community. */
export interface EntryView {
  entryId: string;
  type: string;
  riderId: string;
  communityId: string;
  stationId: string | null;
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
  items: LedgerLineView['items'] | string | null;
  reversal_of: string | null;
  source: string | null;
  approved_by: string | null;
  check_in_id: string | null;
  actor: string;
  occurred_at: Date;
  recorded_at: Date;
  position: number | string;
}

/**
 * A rider's lines, oldest first (or newest first with `order: 'desc'`); the cursor is the last
 * line's revision in the rider's stream, and the next page goes on from it in the same order.
 */
export async function ledgerPage(
  db: ReadDb,
  riderId: string,
  options: { limit: number; cursor?: string | undefined; order?: 'asc' | 'desc' },
): Promise<Page<LedgerLineView>> {
  // Two statements rather than one with a computed order: each walks the (rider, revision) key.
  const desc = options.order === 'desc';
  const from =
    options.cursor === undefined ? (desc ? Number.MAX_SAFE_INTEGER : -1) : Number(options.cursor);
  const { rows } = await db.query<LedgerLineRow>(
    desc
      ? `select * from ${db.schema}.ledger_lines where rider_id = $1 and revision < $2 order by revision desc limit $3`
      : `select * from ${db.schema}.ledger_lines where rider_id = $1 and revision > $2 order by revision limit $3`,
    [riderId, from, options.limit + 1],
  );
  const last = rows[options.limit - 1];
  return {
    items: rows.slice(0, options.limit).map(lineView),
    nextCursor: rows.length > options.limit && last ? String(num(last.revision)) : null,
  };
}

function lineView(r: LedgerLineRow): LedgerLineView {
  return {
    entryId: r.entry_id,
    type: r.type,
    points: num(r.points),
    balanceAfter: num(r.balance_after),
    ...(r.activity !== null && { activity: r.activity }),
    ...(r.reason !== null && { reason: r.reason }),
    ...(r.station_id !== null && { stationId: r.station_id }),
    ...(r.items !== null && {
      items:
        typeof r.items === 'string' ? (JSON.parse(r.items) as LedgerLineView['items']) : r.items,
    }),
    ...(r.reversal_of !== null && { reversalOf: r.reversal_of }),
    ...(r.source !== null && { source: r.source }),
    ...(r.approved_by !== null && { approvedBy: r.approved_by }),
    ...(r.check_in_id !== null && { checkInId: r.check_in_id }),
    actor: r.actor,
    occurredAt: iso(r.occurred_at),
    recordedAt: iso(r.recorded_at),
    position: num(r.position),
  };
}

/** The ledger line that brought an entry in (its `award` or `redemption` line). */
export async function entryOf(
  db: ReadDb,
  entryId: string,
  type: 'award' | 'redemption',
): Promise<EntryView | undefined> {
  const s = db.schema;
  const { rows } = await db.query<{
    rider_id: string;
    community_id: string;
    station_id: string | null;
  }>(
    `select l.rider_id, r.community_id, l.station_id from ${s}.ledger_lines l
       join ${s}.riders r using (rider_id) where l.entry_id = $1 and l.type = $2`,
    [entryId, type],
  );
  const r = rows[0];
  if (!r) return undefined;
  return {
    entryId,
    type,
    riderId: r.rider_id,
    communityId: r.community_id,
    stationId: r.station_id,
  };
}

/** Every rider's lines in log order, for an export (no personal data: the lines hold none). */
export async function allLedgerLines(db: ReadDb): Promise<Record<string, unknown>[]> {
  const { rows } = await db.query<Record<string, unknown>>(
    `select rider_id, entry_id, type, points, balance_after, activity, reason, station_id, source,
       approved_by, check_in_id, actor, occurred_at, recorded_at, position
     from ${db.schema}.ledger_lines order by position`,
  );
  return rows;
}
