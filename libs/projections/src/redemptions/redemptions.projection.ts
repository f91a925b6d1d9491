import { dayKey, type PricedItem } from '@ledger/domain';
import type { SqlQuery } from '@ledger/event-store';
import type { ApplyContext, BatchEvent, Projection } from '../projection';

/**
 * Redemptions as receipts: what a station handed out, to whom, by whom and when (the station's
 * day in the deployment's zone), with each item's name as the catalogue had it then, and whether
 * it was cancelled. Keeps its own copy of the catalogue's names, so it depends on no other model.
 */
export const redemptionsProjection: Projection = {
  name: 'redemptions',
  tables: [
    { name: 'redemptions', orderBy: 'redemption_id' },
    { name: 'redemption_item_names', orderBy: 'station_id, sku' },
  ],
  ddl: (s) => `
    create table if not exists ${s}.redemptions (redemption_id text primary key,
      station_id text not null, rider_id text not null, items jsonb not null, points bigint not null,
      served_by text not null, served_at timestamptz not null, day text not null,
      cancelled boolean not null default false, cancelled_at timestamptz, cancelled_by text,
      position bigint not null);
    create index if not exists redemptions_station_day on ${s}.redemptions (station_id, day, position);
    create table if not exists ${s}.redemption_item_names (station_id text not null,
      sku text not null, name text not null, primary key (station_id, sku));`,
  applyBatch: applyRedemptions,
};

type Named = PricedItem & { name: string };

async function applyRedemptions(
  batch: readonly BatchEvent[],
  q: SqlQuery,
  { schema: s, timeZone }: ApplyContext,
): Promise<void> {
  const names = await knownNames(batch, q, s);
  const made: unknown[][] = Array.from({ length: 9 }, () => []);
  for (const { event, stored } of batch) {
    const actor = actorOf(stored.metadata);
    const at = occurredAt(stored.metadata, stored.recordedAt);
    if (event.type === 'ItemPriced') {
      const { stationId, sku, name } = event.data;
      names.set(`${stationId}\u0000${sku}`, name);
      await q(
        `insert into ${s}.redemption_item_names values ($1, $2, $3)
         on conflict (station_id, sku) do update set name = excluded.name`,
        [stationId, sku, name],
      );
    } else if (event.type === 'RedemptionMade') {
      const d = event.data;
      const items: Named[] = d.items.map((item) => ({
        ...item,
        name: names.get(`${d.stationId}\u0000${item.sku}`) ?? item.sku,
      }));
      const row = [d.redemptionId, d.stationId, d.riderId, JSON.stringify(items), d.points, actor];
      [...row, at.toISOString(), dayKey(at, timeZone), stored.position].forEach((v, i) =>
        made[i].push(v),
      );
    } else if (event.type === 'RedemptionCancelled') {
      await insertMade(q, s, made); // the redemption may be earlier in this batch
      await q(
        `update ${s}.redemptions set cancelled = true, cancelled_at = $2, cancelled_by = $3
         where redemption_id = $1`,
        [event.data.redemptionId, at.toISOString(), actor],
      );
    }
  }
  await insertMade(q, s, made);
}

async function insertMade(q: SqlQuery, s: string, columns: unknown[][]): Promise<void> {
  if (columns[0].length === 0) return;
  await q(
    `insert into ${s}.redemptions (redemption_id, station_id, rider_id, items, points, served_by,
       served_at, day, position)
     select r, st, ri, it::jsonb, p, b, a::timestamptz, d, pos
     from unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::bigint[], $6::text[],
       $7::text[], $8::text[], $9::bigint[]) as x(r, st, ri, it, p, b, a, d, pos)`,
    columns.map((column) => column.splice(0)),
  );
}

/** The names the catalogue gave the items a batch redeems, from this model's own table. */
async function knownNames(batch: readonly BatchEvent[], q: SqlQuery, s: string) {
  const stations = new Set<string>();
  for (const { event } of batch)
    if (event.type === 'RedemptionMade') stations.add(event.data.stationId);
  const names = new Map<string, string>();
  if (stations.size === 0) return names;
  const { rows } = await q<{ station_id: string; sku: string; name: string }>(
    `select station_id, sku, name from ${s}.redemption_item_names where station_id = any($1::text[])`,
    [[...stations]],
  );
  for (const r of rows) names.set(`${r.station_id}\u0000${r.sku}`, r.name);
  return names;
}

function actorOf(metadata: Record<string, unknown>): string {
  return (metadata.actor as { principalId?: string } | undefined)?.principalId ?? 'unknown';
}

/** When it happened in the world (the request's time), as the writer recorded it. */
function occurredAt(metadata: Record<string, unknown>, recordedAt: Date): Date {
  return typeof metadata.occurredAt === 'string' ? new Date(metadata.occurredAt) : recordedAt;
}
