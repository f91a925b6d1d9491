import type { LeaderboardRow } from '../leaderboards/leaderboards.queries';
import type { Page, ReadDb } from '../read-db';
import { iso, num, pageByKey } from '../read-db';

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

/** A selection as a list shows it: what it selects and whether it is still open. */
export interface SelectionSummary {
  id: string;
  district: string;
  year: number;
  size: number;
  status: 'open' | 'closed';
}

/** Selections by district, year, then id; of one district when `district` is given. */
export async function selectionPage(
  db: ReadDb,
  filter: { district?: string | undefined; limit: number; after?: (string | number)[] | undefined },
): Promise<Page<SelectionSummary>> {
  const { rows } = await db.query<{
    selection_id: string;
    district: string;
    year: number;
    size: number;
    status: string;
  }>(
    `select selection_id, district, year, size, status from ${db.schema}.selections
     where ($1::text is null or district = $1)
       and ($2::text[] is null or (district, year, selection_id) > ($2[1], $2[2]::int, $2[3]))
     order by district, year, selection_id limit $3`,
    [filter.district ?? null, filter.after?.map(String) ?? null, filter.limit + 1],
  );
  return pageByKey(
    rows,
    filter.limit,
    (r) => [r.district, r.year, r.selection_id],
    (r) => ({
      id: r.selection_id,
      district: r.district,
      year: r.year,
      size: r.size,
      status: r.status === 'closed' ? 'closed' : 'open',
    }),
  );
}
