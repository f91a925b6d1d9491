import type { ReadDb } from '../read-db';
import { num } from '../read-db';

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
