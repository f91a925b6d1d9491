import type { EventStore, SqlClient } from '@ledger/event-store';
import { rebuildAndCompare, type ReadModels, type RebuildReport } from '@ledger/projections';

/** How far a long run is: `done` of `total` (events, rows …). */
export type OnProgress = (done: number, total: number) => void;

/**
 * Rebuilds every read model from the log into a shadow schema and compares it with the live one,
 * row by row (`rebuildAndCompare`: live runners in this process go on during the rebuild and
 * pause only for the comparison). Where none runs (the CLI), the live tables are first brought to
 * the head of the log, so the comparison is of a caught-up read side.
 */
export async function replayReadModels(
  deps: { readModels: ReadModels; store: EventStore; sql: SqlClient; timeZone: string },
  onProgress?: OnProgress,
): Promise<RebuildReport> {
  const { readModels, store, sql, timeZone } = deps;
  if (!readModels.isRunning) await readModels.catchUp();
  const total = (await eventsInLog(deps)) * readModels.projections.length;
  onProgress?.(0, total);
  // Writes made during the rebuild are replayed too: the count may pass the first estimate.
  return rebuildAndCompare(readModels, store, sql, {
    timeZone,
    onProgress: (replayed) => onProgress?.(Math.min(replayed, total), total),
  });
}

/**
 * How many events the log holds, for progress (a replay's, an export's): counted (the log tree's
 * leaves, one per event, as far as the tree has caught up), not read off a position, since a
 * KurrentDB position is a byte offset (issue 18). Where the tree is not among the read models,
 * the head's position (an event count on the SQL stores).
 */
export async function eventsInLog(deps: {
  readModels: ReadModels;
  store: EventStore;
  sql: SqlClient;
}): Promise<number> {
  const { readModels, store, sql } = deps;
  if (readModels.projections.some((p) => p.name === 'log-tree')) {
    const { rows } = await sql.query<{ size: string | number }>(
      `select coalesce(max(leaf_index) + 1, 0) as size from ${readModels.schema}.log_tree_leaves`,
    );
    return Number(rows[0]?.size ?? 0);
  }
  return store.positionOf(await store.headCursor()) ?? 0;
}
