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

export async function balanceOf(db: ReadDb, riderId: string): Promise<BalanceView | undefined> {
  const s = db.schema;
  // The figures and the position of the log they reflect, in one statement (one snapshot).
  const { rows } = await db.query<Record<string, unknown>>(
    `select b.*, c.position from ${s}.balances b
     cross join ${s}.checkpoints c where b.rider_id = $1 and c.projection = 'balances'`,
    [riderId],
  );
  const r = rows[0];
  if (!r) return undefined;
  return {
    riderId,
    balance: num(r.balance),
    earned: num(r.earned),
    redeemed: num(r.redeemed),
    reversed: num(r.reversed),
    position: num(r.position ?? 0),
  };
}
