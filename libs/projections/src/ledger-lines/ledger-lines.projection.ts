import type { LedgerEvent, PricedItem } from '@ledger/domain';
import type { Projection } from '../projection';

/** Every movement of a rider's points, one line each, in the rider's own order (revision). */
export const ledgerLinesProjection: Projection = {
  name: 'ledger-lines',
  /** 2: a redemption's line carries its items. 3: a reversal's line names the award it undoes. */
  version: 3,
  tables: [{ name: 'ledger_lines', orderBy: 'rider_id, revision' }],
  ddl: (s) => `
    create table if not exists ${s}.ledger_lines (rider_id text not null, revision bigint not null,
      entry_id text not null, type text not null, points bigint not null, balance_after bigint not null,
      activity text, reason text, station_id text, actor text not null, occurred_at timestamptz not null,
      recorded_at timestamptz not null, position bigint not null, items jsonb, reversal_of text,
      primary key (rider_id, revision));
    create index if not exists ledger_lines_entry on ${s}.ledger_lines (entry_id);`,
  async applyBatch(batch, q, { schema: s }) {
    const columns: unknown[][] = Array.from({ length: 15 }, () => []);
    for (const { event, stored } of batch) {
      const line = ledgerLine(event);
      if (!line) continue;
      const actor =
        (stored.metadata.actor as { principalId?: string } | undefined)?.principalId ?? 'unknown';
      const occurredAt =
        typeof stored.metadata.occurredAt === 'string'
          ? stored.metadata.occurredAt
          : stored.recordedAt.toISOString();
      const row = [
        line.riderId,
        stored.revision,
        line.entryId,
        line.type,
        line.points,
        line.balanceAfter,
        line.activity ?? null,
        line.reason ?? null,
        line.stationId ?? null,
        actor,
        occurredAt,
        stored.recordedAt.toISOString(),
        stored.position,
        line.items === undefined ? null : JSON.stringify(line.items),
        line.reversalOf ?? null,
      ];
      row.forEach((value, i) => columns[i].push(value));
    }
    if (columns[0].length === 0) return;
    await q(
      `insert into ${s}.ledger_lines
       select r, v, e, t, p, b, a, re, st, ac, o, rec, pos, it::jsonb, rv
       from unnest($1::text[], $2::bigint[], $3::text[], $4::text[], $5::bigint[], $6::bigint[], $7::text[],
         $8::text[], $9::text[], $10::text[], $11::timestamptz[], $12::timestamptz[], $13::bigint[], $14::text[],
         $15::text[])
         as x(r, v, e, t, p, b, a, re, st, ac, o, rec, pos, it, rv)`,
      columns,
    );
  },
};

interface Line {
  riderId: string;
  entryId: string;
  type: 'award' | 'reversal' | 'redemption' | 'cancellation';
  points: number;
  balanceAfter: number;
  activity?: string;
  reason?: string;
  stationId?: string;
  items?: readonly PricedItem[];
  reversalOf?: string;
}

/** Signed points: positive credits the rider, negative debits. */
function ledgerLine(event: LedgerEvent): Line | undefined {
  const { type, data: d } = event;
  if (type === 'PointsAwarded')
    return line(d, d.entryId, 'award', d.points, { activity: d.activity, reason: d.reason });
  if (type === 'AwardReversed')
    return line(d, d.entryId, 'reversal', -d.points, {
      reason: d.reason,
      reversalOf: d.reversalOf,
    });
  if (type === 'RedemptionMade')
    return line(d, d.redemptionId, 'redemption', -d.points, {
      stationId: d.stationId,
      items: d.items,
    });
  if (type === 'RedemptionCancelled')
    return line(d, d.redemptionId, 'cancellation', d.points, {
      reason: d.reason,
      stationId: d.stationId,
    });
  return undefined;
}

function line(
  of: { riderId: string; balanceAfter: number },
  entryId: string,
  type: Line['type'],
  points: number,
  more: Pick<Line, 'activity' | 'reason' | 'stationId' | 'items' | 'reversalOf'>,
): Line {
  return { riderId: of.riderId, entryId, type, points, balanceAfter: of.balanceAfter, ...more };
}
