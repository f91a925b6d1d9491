import type { ReadDb } from '../read-db';
import { num, pageByKey, type Page } from '../read-db';

export interface FundView {
  id: string;
  name: string;
  district: string;
  budgetPoints: number;
  awardedPoints: number;
  reversedPoints: number;
  remainingPoints: number;
}

export async function fundOf(db: ReadDb, fundId: string): Promise<FundView | undefined> {
  const { rows } = await db.query<Record<string, unknown>>(
    `select * from ${db.schema}.funds where fund_id = $1`,
    [fundId],
  );
  return rows[0] && fundView(rows[0]);
}

function fundView(r: Record<string, unknown>): FundView {
  const budgetPoints = num(r.budget_points);
  const awardedPoints = num(r.awarded_points);
  const reversedPoints = num(r.reversed_points);
  return {
    id: String(r.fund_id),
    name: String(r.name),
    district: String(r.district),
    budgetPoints,
    awardedPoints,
    reversedPoints,
    remainingPoints: budgetPoints - awardedPoints + reversedPoints,
  };
}

/** Funds by district and id. */
export async function fundPage(
  db: ReadDb,
  filter: { limit: number; after?: (string | number)[] | undefined },
): Promise<Page<FundView>> {
  const { rows } = await db.query<Record<string, unknown>>(
    `select * from ${db.schema}.funds
     where ($1::text[] is null or (district, fund_id) > ($1[1], $1[2]))
     order by district, fund_id limit $2`,
    [filter.after ?? null, filter.limit + 1],
  );
  return pageByKey(rows, filter.limit, (r) => [String(r.district), String(r.fund_id)], fundView);
}
