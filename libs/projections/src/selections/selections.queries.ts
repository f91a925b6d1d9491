import type { LeaderboardRow } from '../leaderboards/leaderboards.queries';
import type { ReadDb } from '../read-db';
import { num } from '../read-db';

export type SelectionView =
  | { id: string; status: 'open' }
  | { id: string; status: 'closed'; cutoffPosition: number; winners: LeaderboardRow[] };

export async function selectionOf(
  db: ReadDb,
  selectionId: string,
): Promise<SelectionView | undefined> {
  const { rows } = await db.query<{
    status: string;
    cutoff_position: string | number | null;
    winners: unknown;
  }>(`select * from ${db.schema}.selections where selection_id = $1`, [selectionId]);
  const r = rows[0];
  if (!r) return undefined;
  const winners = (
    typeof r.winners === 'string' ? JSON.parse(r.winners) : r.winners
  ) as LeaderboardRow[];
  return r.status === 'closed'
    ? { id: selectionId, status: 'closed', cutoffPosition: num(r.cutoff_position), winners }
    : { id: selectionId, status: 'open' };
}
