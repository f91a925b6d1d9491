import type { LogCursor, SqlClient, SqlQuery, StoredEvent } from '@ledger/event-store';

/** How far a projection has applied the log: moved in the transaction that applies its rows. */
export interface Checkpoint {
  readonly projection: string;
  readonly cursor: LogCursor;
  readonly position: number | null;
  readonly events: number;
}

/** The checkpoints table, and a row at the start of the log for each projection that has none. */
export function checkpointsDdl(schema: string, projections: readonly string[]): string {
  return `create table if not exists ${schema}.checkpoints (projection text primary key,
      cursor text not null, position bigint, events bigint not null,
      updated_at timestamptz not null default now());
    ${projections
      .map(
        (name) =>
          `insert into ${schema}.checkpoints (projection, cursor, position, events)
           values ('${name}', '', null, 0) on conflict do nothing;`,
      )
      .join('\n')}`;
}

export async function readCheckpoints(sql: SqlClient, schema: string): Promise<Checkpoint[]> {
  const { rows } = await sql.query<{
    projection: string;
    cursor: string;
    position: string | number | null;
    events: string | number;
  }>(`select projection, cursor, position, events from ${schema}.checkpoints order by projection`);
  return rows.map((r) => ({
    projection: r.projection,
    cursor: r.cursor,
    position: r.position === null ? null : Number(r.position),
    events: Number(r.events),
  }));
}

/** Inside the batch's transaction: the projection now stands on `last`, `count` events later. */
export async function advanceCheckpoint(
  query: SqlQuery,
  schema: string,
  projection: string,
  last: StoredEvent,
  count: number,
): Promise<void> {
  await query(
    `update ${schema}.checkpoints set cursor = $2, position = $3, events = events + $4, updated_at = now()
     where projection = $1`,
    [projection, last.cursor, last.position, count],
  );
}
