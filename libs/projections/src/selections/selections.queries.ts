import type { LeaderboardRow } from '../leaderboards/leaderboards.queries';
import type { ReadDb } from '../read-db';
import { iso, num } from '../read-db';

/** A selection: what it selects, and once closed its cut-off, winners, who closed it and when. */
export type SelectionView = {
  id: string;
  district: string;
  year: number;
  size: number;
} & (
  | { status: 'open' }
  | {
      status: 'closed';
      cutoffPosition: number;
      winners: LeaderboardRow[];
      closedBy: string;
      closedAt: string;
    }
);

export async function selectionOf(
  db: ReadDb,
  selectionId: string,
): Promise<SelectionView | undefined> {
  const { rows } = await db.query<{
    district: string;
    year: number;
    size: number;
    status: string;
    cutoff_position: string | number | null;
    winners: unknown;
    closed_by: string | null;
    closed_at: Date | null;
  }>(`select * from ${db.schema}.selections where selection_id = $1`, [selectionId]);
  const r = rows[0];
  if (!r) return undefined;
  const about = { id: selectionId, district: r.district, year: r.year, size: r.size };
  if (r.status !== 'closed') return { ...about, status: 'open' };
  const winners = (
    typeof r.winners === 'string' ? JSON.parse(r.winners) : r.winners
  ) as LeaderboardRow[];
  return {
    ...about,
    status: 'closed',
    cutoffPosition: num(r.cutoff_position),
    winners,
    closedBy: r.closed_by ?? 'unknown',
    closedAt: iso(r.closed_at),
  };
}
