import type { ReadDb } from '../read-db';
import { num } from '../read-db';

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
  const r = rows[0];
  if (!r) return undefined;
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
