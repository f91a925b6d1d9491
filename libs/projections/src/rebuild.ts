import type { EventStore, SqlClient } from '@ledger/event-store';
import type { OwnedTable, Projection } from './projection';
import { ReadModels } from './read-models';
import { yieldToEventLoop } from './runner';

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

/** Events per transaction of a rebuild: small, so reads served meanwhile wait for one at most. */
export const REBUILD_BATCH = 500;
/** Rows per page of the comparison, so no single read holds the database for long. */
const COMPARE_PAGE = 2000;

export interface RebuildOptions {
  readonly timeZone: string;
  readonly projections?: readonly Projection[];
  readonly onProgress?: (replayed: number) => void;
  /**
   * Let projections put work off to the end of each catch-up (`ApplyContext.deferred`). By
   * default on every store but the embedded one: there statements take turns on one
   * connection, and a fold at the end (seconds on a large log) would hold every look-up.
   */
  readonly deferred?: boolean;
  /** Events per transaction (default REBUILD_BATCH). */
  readonly batch?: number;
}

/**
 * Rebuilds projections from position 0 into a shadow schema and compares every table row by row
 * with the live one. The long part, rebuilding to where each live projection stands, runs while
 * the live runners go on (the API keeps projecting writes and answering reads); then the live
 * runners pause, the shadow catches up the little they moved meanwhile, the tables are compared
 * page by page (the live rows stay at their checkpoints), and the runners resume, whatever
 * happened. Batches are small (`REBUILD_BATCH`) so that on the embedded store, where every
 * statement takes turns on one connection, a look-up never waits behind a long transaction.
 */
export async function rebuildAndCompare(
  live: ReadModels,
  store: EventStore,
  sql: SqlClient,
  options: RebuildOptions,
): Promise<RebuildReport> {
  const deferred = options.deferred ?? store.kind !== 'embedded';
  const shadowSchema = `${live.schema}_shadow`.slice(0, 63);
  await sql.exec(`drop schema if exists ${shadowSchema} cascade`);
  const projections = options.projections ?? live.projections;
  const shadows = new Map<string, ReadModels>();
  for (const projection of projections)
    shadows.set(
      projection.name,
      await ReadModels.open(store, sql, {
        schema: shadowSchema,
        timeZone: options.timeZone,
        projections: [projection],
      }),
    );
  let eventsReplayed = 0;
  /** Brings every shadow projection to the live one's checkpoint now. */
  const catchUpShadows = async () => {
    const checkpoints = await live.checkpoints();
    for (const projection of projections) {
      const target = checkpoints.find((c) => c.projection === projection.name);
      if (!target || target.cursor === '') continue;
      const before = eventsReplayed;
      eventsReplayed += await (shadows.get(projection.name) as ReadModels).catchUp({
        until: target.cursor,
        batch: options.batch ?? REBUILD_BATCH,
        deferred,
        onProgress: (n) => options.onProgress?.(before + n),
      });
    }
  };
  await catchUpShadows();
  const wasRunning = live.isRunning;
  await live.stop();
  try {
    await catchUpShadows();
    const tables = projections.flatMap((p) => p.tables);
    const { rowsCompared, differences } = await compareTables(
      sql,
      live.schema,
      shadowSchema,
      tables,
    );
    return {
      shadowSchema,
      eventsReplayed,
      tablesCompared: tables.length,
      rowsCompared,
      differences,
    };
  } finally {
    if (wasRunning) await live.start();
  }
}

/**
 * Every row of `tables` in `a` against `b`, page by page in key order: each side's next page
 * starts after its own last row's key (`orderBy` is each table's primary key), so a page costs
 * its own rows, whatever the table's size, and row i of one side still meets row i of the other.
 */
async function compareTables(
  sql: SqlClient,
  a: string,
  b: string,
  tables: readonly OwnedTable[],
): Promise<{ rowsCompared: number; differences: RowDifference[] }> {
  let rowsCompared = 0;
  const differences: RowDifference[] = [];
  for (const table of tables) {
    const key = table.orderBy.split(',').map((column) => column.trim());
    const after: (Record<string, unknown> | undefined)[] = [undefined, undefined];
    const page = async (schema: string, side: number) => {
      const last = after[side];
      const { rows } = await sql.query<Record<string, unknown>>(
        `select * from ${schema}.${table.name}
         ${last ? `where (${key.join(', ')}) > (${key.map((_, i) => `$${i + 1}`).join(', ')})` : ''}
         order by ${table.orderBy} limit ${COMPARE_PAGE}`,
        last ? key.map((column) => last[column]) : [],
      );
      after[side] = rows[rows.length - 1] ?? last;
      return rows;
    };
    for (let index = 0; ; index += COMPARE_PAGE) {
      const [liveRows, rebuiltRows] = await Promise.all([page(a, 0), page(b, 1)]);
      const count = Math.max(liveRows.length, rebuiltRows.length);
      for (let i = 0; i < count; i++) {
        rowsCompared++;
        const live = liveRows[i] ?? null;
        const rebuilt = rebuiltRows[i] ?? null;
        if (
          JSON.stringify(live) !== JSON.stringify(rebuilt) &&
          differences.length < MAX_REPORTED_DIFFERENCES
        )
          differences.push({ table: table.name, index: index + i, live, rebuilt });
      }
      if (count < COMPARE_PAGE) break;
      await yieldToEventLoop();
    }
  }
  return { rowsCompared, differences };
}
