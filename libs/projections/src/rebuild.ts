import type { EventStore, SqlClient } from '@ledger/event-store';
import type { Projection } from './projection';
import { ReadModels } from './read-models';

export interface RowDifference {
  readonly table: string;
  /** The row's place in its table's order (the key columns). */
  readonly index: number;
  readonly live: Record<string, unknown> | null;
  readonly rebuilt: Record<string, unknown> | null;
}

export interface RebuildReport {
  readonly shadowSchema: string;
  readonly eventsReplayed: number;
  readonly tablesCompared: number;
  readonly rowsCompared: number;
  readonly differences: readonly RowDifference[];
}

/** A report lists at most this many differing rows; the count of tables and rows still covers all. */
export const MAX_REPORTED_DIFFERENCES = 100;

/**
 * Rebuilds projections from position 0 into a shadow schema, up to exactly the cursor each live
 * projection has reached, and compares every table row by row. The live runners must be paused
 * (the caller stops them) so the live rows stay at their checkpoint during the comparison.
 */
export async function rebuildAndCompare(
  live: ReadModels,
  store: EventStore,
  sql: SqlClient,
  options: {
    timeZone: string;
    projections?: readonly Projection[];
    onProgress?: (replayed: number) => void;
  },
): Promise<RebuildReport> {
  const shadowSchema = `${live.schema}_shadow`.slice(0, 63);
  await sql.exec(`drop schema if exists ${shadowSchema} cascade`);
  const projections = options.projections ?? live.projections;
  const checkpoints = await live.checkpoints();
  let eventsReplayed = 0;
  for (const projection of projections) {
    const shadow = await ReadModels.open(store, sql, {
      schema: shadowSchema,
      timeZone: options.timeZone,
      projections: [projection],
    });
    const target = checkpoints.find((c) => c.projection === projection.name);
    if (target && target.cursor !== '') {
      eventsReplayed += await shadow.catchUp({
        until: target.cursor,
        onProgress: (n) => options.onProgress?.(eventsReplayed + n),
      });
    }
  }
  let rowsCompared = 0;
  const differences: RowDifference[] = [];
  const tables = projections.flatMap((p) => p.tables);
  for (const table of tables) {
    const [liveRows, rebuiltRows] = await Promise.all(
      [live.schema, shadowSchema].map(
        async (schema) =>
          (
            await sql.query<Record<string, unknown>>(
              `select * from ${schema}.${table.name} order by ${table.orderBy}`,
            )
          ).rows,
      ),
    );
    const count = Math.max(liveRows.length, rebuiltRows.length);
    for (let i = 0; i < count; i++) {
      rowsCompared++;
      const a = liveRows[i] ?? null;
      const b = rebuiltRows[i] ?? null;
      if (
        JSON.stringify(a) !== JSON.stringify(b) &&
        differences.length < MAX_REPORTED_DIFFERENCES
      ) {
        differences.push({ table: table.name, index: i, live: a, rebuilt: b });
      }
    }
  }
  return { shadowSchema, eventsReplayed, tablesCompared: tables.length, rowsCompared, differences };
}
