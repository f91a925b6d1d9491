import type { LogCursor, SqlClient } from '@ledger/event-store';

/**
 * How far settlement recovery has read the log, and the acts still open at that point: saved
 * after every run that read something, so a process that starts reads only what came after, not
 * the whole log (a million events took seconds at every start, before serving).
 *
 * `open` is the recovery's own record of open acts, as JSON. A saved state is consistent in
 * itself (the open acts of the log up to `cursor`); several processes may save, the last one wins,
 * and a state older than another only means reading a little more at the next start.
 */
export interface SavedRecovery {
  readonly cursor: LogCursor;
  readonly open: unknown;
}

export interface RecoveryProgress {
  /** The last saved state, or `undefined` (none, or saved by another version of the format). */
  load(): Promise<SavedRecovery | undefined>;
  save(state: SavedRecovery): Promise<void>;
}

/**
 * The format of `open`. Raise it when recovery tracks acts differently: a state saved in another
 * format is ignored and the log read from the start once.
 */
export const RECOVERY_FORMAT = 1;

const DDL = `create table if not exists ledger_recovery (
  id text primary key,
  format integer not null,
  log_cursor text not null,
  open_acts jsonb not null,
  updated_at timestamptz not null default now()
)`;

/**
 * The table beside the log (the embedded folder, or the deployment's PostgreSQL schema). The
 * client already answers `StoreUnavailable` when the database cannot serve.
 */
export class SqlRecoveryProgress implements RecoveryProgress {
  private constructor(private readonly sql: SqlClient) {}

  static async open(sql: SqlClient): Promise<SqlRecoveryProgress> {
    await sql.exec(DDL);
    return new SqlRecoveryProgress(sql);
  }

  async load(): Promise<SavedRecovery | undefined> {
    const { rows } = await this.sql.query<{
      format: number;
      log_cursor: string;
      open_acts: unknown;
    }>(`select format, log_cursor, open_acts from ledger_recovery where id = 'settlement'`);
    const row = rows[0];
    if (!row || row.format !== RECOVERY_FORMAT) return undefined;
    return { cursor: row.log_cursor, open: row.open_acts }; // jsonb comes back parsed
  }

  async save(state: SavedRecovery): Promise<void> {
    await this.sql.query(
      `insert into ledger_recovery (id, format, log_cursor, open_acts) values ('settlement', $1, $2, $3::jsonb)
       on conflict (id) do update set format = excluded.format, log_cursor = excluded.log_cursor,
         open_acts = excluded.open_acts, updated_at = now()`,
      [RECOVERY_FORMAT, state.cursor, JSON.stringify(state.open)],
    );
  }
}

/** Kept in memory as JSON text (so what is saved must survive JSON), for tests and tools. */
export class InMemoryRecoveryProgress implements RecoveryProgress {
  private saved: string | undefined;
  saves = 0;

  load(): Promise<SavedRecovery | undefined> {
    return Promise.resolve(
      this.saved === undefined ? undefined : (JSON.parse(this.saved) as SavedRecovery),
    );
  }

  save(state: SavedRecovery): Promise<void> {
    this.saved = JSON.stringify(state);
    this.saves++;
    return Promise.resolve();
  }
}
