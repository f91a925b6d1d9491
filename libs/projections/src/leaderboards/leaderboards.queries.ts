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
  return pageOf(rows, offset, options.limit, (r, rank) => ({
    rank,
    riderId: r.rider_id,
    points: num(r.points),
  }));
}

/**
 * The same page with each rider's name from `names` (a table of `rider_id` and `name` beside the
 * log, found by the search path), in one statement: a board is read often, and its names cost a
 * second round trip (issue 13). `null` for a rider with no name there (erased).
 */
export async function namedLeaderboardPage(
  db: ReadDb,
  names: string,
  scope: string,
  period: string,
  options: { limit: number; cursor?: string | undefined },
): Promise<Page<LeaderboardRow & { name: string | null }>> {
  const offset = options.cursor === undefined ? 0 : Number(options.cursor);
  const { rows } = await db.query<{
    rider_id: string;
    points: string | number;
    name: string | null;
  }>(
    `select l.rider_id, l.points, n.name from (
       select rider_id, points, reached_position from ${db.schema}.leaderboard_points
       where scope = $1 and period = $2 and points > 0 order by ${ORDER} limit $3 offset $4) l
     left join ${names} n on n.rider_id = l.rider_id
     order by l.points desc, l.reached_position, l.rider_id`,
    [scope, period, options.limit + 1, offset],
  );
  return pageOf(rows, offset, options.limit, (r, rank) => ({
    rank,
    riderId: r.rider_id,
    name: r.name,
    points: num(r.points),
  }));
}

function pageOf<R, T>(
  rows: readonly R[],
  offset: number,
  limit: number,
  item: (row: R, rank: number) => T,
): Page<T> {
  return {
    items: rows.slice(0, limit).map((r, i) => item(r, offset + i + 1)),
    nextCursor: rows.length > limit ? String(offset + limit) : null,
  };
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
