import type { Page, ReadDb } from '../read-db';
import { iso, num, pageByKey } from '../read-db';

/** A redemption as a receipt. */
export interface ReceiptView {
  redemptionId: string;
  stationId: string;
  riderId: string;
  items: { sku: string; name: string; quantity: number; pricePoints: number }[];
  points: number;
  servedBy: string;
  at: string;
  cancelled: boolean;
  cancelledAt: string | null;
  position: number;
}

interface ReceiptRow {
  redemption_id: string;
  station_id: string;
  rider_id: string;
  items: ReceiptView['items'] | string;
  points: string | number;
  served_by: string;
  served_at: Date;
  cancelled: boolean;
  cancelled_at: Date | null;
  position: string | number;
}

export async function receiptOf(
  db: ReadDb,
  redemptionId: string,
): Promise<ReceiptView | undefined> {
  const { rows } = await db.query<ReceiptRow>(
    `select * from ${db.schema}.redemptions where redemption_id = $1`,
    [redemptionId],
  );
  return rows[0] && receiptView(rows[0]);
}

/** A station's receipts of one day (`YYYY-MM-DD` in the deployment's zone), in the order served. */
export async function stationDay(
  db: ReadDb,
  filter: {
    stationId: string;
    day: string;
    limit: number;
    after?: (string | number)[] | undefined;
  },
): Promise<Page<ReceiptView>> {
  const { rows } = await db.query<ReceiptRow>(
    `select * from ${db.schema}.redemptions where station_id = $1 and day = $2
       and ($3::bigint is null or position > $3) order by position limit $4`,
    [filter.stationId, filter.day, filter.after?.[0] ?? null, filter.limit + 1],
  );
  return pageByKey(rows, filter.limit, (r) => [num(r.position)], receiptView);
}

function receiptView(r: ReceiptRow): ReceiptView {
  return {
    redemptionId: r.redemption_id,
    stationId: r.station_id,
    riderId: r.rider_id,
    items: typeof r.items === 'string' ? (JSON.parse(r.items) as ReceiptView['items']) : r.items,
    points: num(r.points),
    servedBy: r.served_by,
    at: iso(r.served_at),
    cancelled: r.cancelled,
    cancelledAt: r.cancelled_at === null ? null : iso(r.cancelled_at),
    position: num(r.position),
  };
}
