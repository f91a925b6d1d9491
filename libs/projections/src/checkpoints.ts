import type { LogCursor, SqlClient, SqlQuery, StoredEvent } from '@ledger/event-store';
import { leasesDdl, type Lease } from './leases';
import type { Projection } from './projection';

/** How far a projection has applied the log: moved in the transaction that applies its rows. */
export interface Checkpoint {
  readonly projection: string;
  readonly cursor: LogCursor;
  readonly position: number | null;
  readonly events: number;
}

/**
 * The read schema's DDL, run as one statement batch (one transaction, serialised between
 * processes on PostgreSQL): the checkpoints table; for each projection whose recorded version is
 * not its own, its tables dropped and its checkpoint back at the start of the log (the runner then
 * rebuilds it); each projection's tables; and a checkpoint row for each new projection.
 */
export function readModelsDdl(schema: string, projections: readonly Projection[]): string {
  const versioned = projections.map((p) => ({ p, version: p.version ?? 1 }));
  return `create table if not exists ${schema}.checkpoints (projection text primary key,
      cursor text not null, position bigint, events bigint not null,
      updated_at timestamptz not null default now());
    alter table ${schema}.checkpoints add column if not exists version integer not null default 1;
    ${leasesDdl(schema)}
    ${versioned
      .map(
        ({ p, version }) => `do $$ begin
          if exists (select 1 from ${schema}.checkpoints
                     where projection = '${p.name}' and version <> ${version}) then
            ${p.tables.map((table) => `drop table if exists ${schema}.${table.name} cascade;`).join(' ')}
            update ${schema}.checkpoints set cursor = '', position = null, events = 0,
              version = ${version}, updated_at = now() where projection = '${p.name}';
          end if;
        end $$;`,
      )
      .join('\n')}
    ${projections.map((p) => `${p.ddl(schema)};`).join('\n')}
    ${versioned
      .map(
        ({ p, version }) =>
          `insert into ${schema}.checkpoints (projection, cursor, position, events, version)
           values ('${p.name}', '', null, 0, ${version}) on conflict do nothing;`,
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

/** The checkpoint was not where the batch expected it (another process moved it), or the lease is gone. */
export class CheckpointMoved extends Error {
  constructor(readonly projection: string) {
    super(`the checkpoint of ${projection} moved, or its lease was lost: batch not applied`);
    this.name = 'CheckpointMoved';
  }
}

/**
 * First in the batch's transaction: moves the projection's checkpoint from `from` to `last`,
 * `count` events later, only if it still stands at `from` and, with a lease, the lease is still
 * this holder's, at the same epoch (compare-and-set). Otherwise throws CheckpointMoved, and the
 * transaction, rows and all, is rolled back: a batch is applied once however many processes try.
 * Taken first, the row lock also makes a second process wait for the first's batch, then fail.
 */
export async function advanceCheckpoint(
  query: SqlQuery,
  schema: string,
  projection: string,
  move: { from: LogCursor; last: StoredEvent; count: number; lease?: Lease },
): Promise<void> {
  const { from, last, count, lease } = move;
  // The lease's epoch, not its expiry: an expired lease nobody took is still this holder's (an
  // outage may outlast it), and taking it over moves the epoch.
  const leased = `and exists (select 1 from ${schema}.projection_leases l where l.projection = $1
    and l.holder = $6 and l.epoch = $7)`;
  const { rows } = await query(
    `update ${schema}.checkpoints set cursor = $2, position = $3, events = events + $4,
       updated_at = now()
     where projection = $1 and cursor = $5 ${lease ? leased : ''} returning 1`,
    [
      projection,
      last.cursor,
      last.position,
      count,
      from,
      ...(lease ? [lease.holder, lease.epoch] : []),
    ],
  );
  if (rows.length === 0) throw new CheckpointMoved(projection);
}

/** One projection's move for `advanceCheckpoints`. */
export interface CheckpointMove {
  readonly projection: string;
  readonly from: LogCursor;
  readonly last: StoredEvent;
  readonly count: number;
  readonly lease?: Lease;
}

/**
 * `advanceCheckpoint` for several projections in one statement, outside any transaction (their
 * batches wrote nothing): each moves only if it still stands at its `from` and, with a lease,
 * the lease is still its holder's at the same epoch. Answers the projections that moved.
 */
export async function advanceCheckpoints(
  query: SqlQuery,
  schema: string,
  moves: readonly CheckpointMove[],
): Promise<Set<string>> {
  const { rows } = await query<{ projection: string }>(
    `update ${schema}.checkpoints c set cursor = m.last, position = m.position,
       events = c.events + m.count, updated_at = now()
     from unnest($1::text[], $2::text[], $3::text[], $4::bigint[], $5::bigint[], $6::text[],
       $7::bigint[]) as m(projection, from_cursor, last, position, count, holder, epoch)
     where c.projection = m.projection and c.cursor = m.from_cursor
       and (m.holder is null or exists (select 1 from ${schema}.projection_leases l
         where l.projection = m.projection and l.holder = m.holder and l.epoch = m.epoch))
     returning c.projection`,
    [
      moves.map((m) => m.projection),
      moves.map((m) => m.from),
      moves.map((m) => m.last.cursor),
      moves.map((m) => m.last.position),
      moves.map((m) => m.count),
      moves.map((m) => m.lease?.holder ?? null),
      moves.map((m) => m.lease?.epoch ?? null),
    ],
  );
  return new Set(rows.map((r) => r.projection));
}
