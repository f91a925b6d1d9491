import type { Page, ReadDb } from '../read-db';
import { num } from '../read-db';

export interface LeaderboardRow {
  rank: number;
  riderId: string;
  points: number;
}

/** The order of every board: points desc, then who reached the total first, then rider id. */
const ORDER = 'points desc, reached_position, rider_id';

export async function leaderboardPage(
  db: ReadDb,
  scope: string,
  period: string,
  options: { limit: number; cursor?: string | undefined },
): Promise<Page<LeaderboardRow>> {
  const offset = options.cursor === undefined ? 0 : Number(options.cursor);
  const { rows } = await db.query<{ rider_id: string; points: string | number }>(
    `select rider_id, points from ${db.schema}.leaderboard_points
     where scope = $1 and period = $2 and points > 0 order by ${ORDER} limit $3 offset $4`,
    [scope, period, options.limit + 1, offset],
  );
  const items = rows
    .slice(0, options.limit)
    .map((r, i) => ({ rank: offset + i + 1, riderId: r.rider_id, points: num(r.points) }));
  return { items, nextCursor: rows.length > options.limit ? String(offset + options.limit) : null };
}

/** A whole board with ranks, for an export. */
export async function leaderboardRows(
  db: ReadDb,
  scope: string,
  period: string,
): Promise<Record<string, unknown>[]> {
  const { rows } = await db.query<Record<string, unknown>>(
    `select row_number() over (order by ${ORDER}) as rank, rider_id, points
     from ${db.schema}.leaderboard_points where scope = $1 and period = $2 and points > 0
     order by ${ORDER}`,
    [scope, period],
  );
  return rows;
}
