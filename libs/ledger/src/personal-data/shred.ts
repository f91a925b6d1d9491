import { Logger } from '@nestjs/common';
import type { SqlClient } from '@ledger/event-store';

const logger = new Logger('erasure');

/**
 * After rows of personal data were deleted, leaves no copy of them in the database's files: a
 * deleted row stays in its heap page, and the write that put it there stays in the WAL, until
 * overwritten. `VACUUM FULL` rewrites each table (and its indexes) into new files and removes
 * the old ones; a checkpoint and two WAL switches then close and remove the segments that held
 * the rows (the embedded store runs with `wal_recycle = off`, so a finished segment is deleted,
 * not renamed and kept). Measured on the embedded store: the name and phone are in no file of
 * the folder after a clean stop (`erasure.e2e-spec.ts`).
 *
 * On a PostgreSQL server the same statements need a role allowed to run CHECKPOINT and
 * pg_switch_wal; without it the tables are still rewritten and the rest is logged as a warning.
 * Copies outside the database (WAL archives, replicas, backups) are the operator's to expire.
 */
export async function shredDeletedRows(sql: SqlClient, tables: readonly string[]): Promise<void> {
  for (const table of tables) await sql.query(`vacuum full ${table}`);
  try {
    await sql.query('checkpoint');
    for (let i = 0; i < 2; i++) {
      await sql.query('select pg_switch_wal()');
      await sql.query('checkpoint');
    }
  } catch (error) {
    logger.warn(
      `erased rows were rewritten out of their tables, but the WAL could not be switched: ${
        error instanceof Error ? error.message : String(error)
      }; erased data may remain in WAL segments until they are recycled`,
    );
  }
}
