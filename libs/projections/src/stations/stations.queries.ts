import type { ReadDb } from '../read-db';
import { num, pageByKey, type Page } from '../read-db';

export interface StationView {
  id: string;
  name: string;
  district: string;
  communityId: string | null;
  kind: string;
}

export interface StockLine {
  sku: string;
  name: string;
  kind: string;
  pricePoints: number;
  stock: number;
}

export async function stationOf(db: ReadDb, id: string): Promise<StationView | undefined> {
  const { rows } = await db.query<{
    name: string;
    district: string;
    community_id: string | null;
    kind: string;
  }>(`select name, district, community_id, kind from ${db.schema}.stations where station_id = $1`, [
    id,
  ]);
  const r = rows[0];
  return r && { id, name: r.name, district: r.district, communityId: r.community_id, kind: r.kind };
}

/** A station's catalogue with stock, by sku. */
export async function stockOf(db: ReadDb, stationId: string): Promise<StockLine[]> {
  const { rows } = await db.query<Record<string, unknown>>(
    `select * from ${db.schema}.station_items where station_id = $1 order by sku`,
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

/** Stations by district and name (then id), optionally of one district. */
export async function stationPage(
  db: ReadDb,
  filter: { district?: string | undefined; limit: number; after?: (string | number)[] | undefined },
): Promise<Page<StationView>> {
  const { rows } = await db.query<{
    station_id: string;
    name: string;
    district: string;
    community_id: string | null;
    kind: string;
  }>(
    `select station_id, name, district, community_id, kind from ${db.schema}.stations
     where ($1::text is null or district = $1)
       and ($2::text[] is null or (district, name, station_id) > ($2[1], $2[2], $2[3]))
     order by district, name, station_id limit $3`,
    [filter.district ?? null, filter.after ?? null, filter.limit + 1],
  );
  return pageByKey(
    rows,
    filter.limit,
    (r) => [r.district, r.name, r.station_id],
    (r) => ({
      id: r.station_id,
      name: r.name,
      district: r.district,
      communityId: r.community_id,
      kind: r.kind,
    }),
  );
}
