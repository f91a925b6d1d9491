import type { ReadDb } from '../read-db';
import { num } from '../read-db';

export interface BalanceView {
  riderId: string;
  balance: number;
  earned: number;
  redeemed: number;
  reversed: number;
  /** The log position the balances read model had reached when read. */
  position: number;
}

/** Where a rider is (for scope rules) and its balance, read in one statement. */
export interface PlacedBalance {
  /** `undefined` when the directory does not know the rider. */
  communityId: string | undefined;
  district: string | undefined;
  balance: BalanceView | undefined;
}

/**
 * A rider's community, district and balance in one statement (one round trip and one snapshot):
 * a station's balance look-up, the most frequent read at a counter, checks scope and answers
 * with it (issue 13).
 */
export async function placedBalanceOf(db: ReadDb, riderId: string): Promise<PlacedBalance> {
  const s = db.schema;
  const { rows } = await db.query<Record<string, unknown>>(
    `select r.community_id, c.district, b.rider_id as balance_of, b.balance, b.earned,
       b.redeemed, b.reversed, k.position
     from (select $1::text as rider_id) q
     left join ${s}.riders r on r.rider_id = q.rider_id
     left join ${s}.communities c on c.community_id = r.community_id
     left join ${s}.balances b on b.rider_id = q.rider_id
     left join ${s}.checkpoints k on k.projection = 'balances'`,
    [riderId],
  );
  const r = rows[0];
  return {
    communityId: (r.community_id as string | null) ?? undefined,
    district: (r.district as string | null) ?? undefined,
    balance: r.balance_of === null ? undefined : balanceView(riderId, r),
  };
}

export async function balanceOf(db: ReadDb, riderId: string): Promise<BalanceView | undefined> {
  const s = db.schema;
  // The figures and the position of the log they reflect, in one statement (one snapshot).
  const { rows } = await db.query<Record<string, unknown>>(
    `select b.*, c.position from ${s}.balances b
     cross join ${s}.checkpoints c where b.rider_id = $1 and c.projection = 'balances'`,
    [riderId],
  );
  return rows[0] && balanceView(riderId, rows[0]);
}

/** A row of the balances table, with the checkpoint's position, as the API shows it. */
function balanceView(riderId: string, r: Record<string, unknown>): BalanceView {
  return {
    riderId,
    balance: num(r.balance),
    earned: num(r.earned),
    redeemed: num(r.redeemed),
    reversed: num(r.reversed),
    position: num(r.position ?? 0),
  };
}
