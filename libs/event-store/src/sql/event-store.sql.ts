/**
 * The SQL of the event log, shared by the embedded (PGlite) and PostgreSQL adapters: one
 * schema, one append function, one fenced read. Neither adapter has SQL of its own.
 */

const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

/** Bumped when the DDL below changes; recorded in `schema_migrations`. */
export const EVENT_STORE_SCHEMA_VERSION = 1;

export function assertSchemaName(schema: string): void {
  if (!SCHEMA_NAME.test(schema)) {
    throw new Error(`schema name "${schema}" must match ${SCHEMA_NAME.source}`);
  }
}

/**
 * `transaction_id` is the gap fence: a sequence value is taken before commit, so a higher
 * `global_position` can become visible before a lower one. Readers only take rows whose
 * transaction is older than every running one, ordered by (transaction_id, global_position),
 * and keep that pair as their cursor; a late commit therefore always sorts after a cursor
 * already handed out.
 */
export function schemaDdl(schema: string): string {
  assertSchemaName(schema);
  return `
create schema if not exists ${schema};

create table if not exists ${schema}.schema_migrations (
  version integer primary key,
  applied_at timestamptz not null default now()
);

create table if not exists ${schema}.events (
  global_position bigint generated always as identity primary key,
  transaction_id xid8 not null default pg_current_xact_id(),
  event_id uuid not null unique,
  stream_name text not null,
  stream_revision bigint not null,
  event_type text not null,
  schema_version integer not null check (schema_version > 0),
  data jsonb not null,
  metadata jsonb not null,
  recorded_at timestamptz not null default now(),
  unique (stream_name, stream_revision)
);

create index if not exists events_log_order on ${schema}.events (transaction_id, global_position);

create table if not exists ${schema}.streams (
  stream_name text primary key,
  revision bigint not null
);

create or replace function ${schema}.append_to_stream(p_stream text, p_expected text, p_events jsonb)
returns jsonb language plpgsql as $fn$
declare
  v_current bigint;
  v_count integer := jsonb_array_length(p_events);
  v_ids uuid[] := array(select (e->>'eventId')::uuid from jsonb_array_elements(p_events) e);
  v_found integer;
  v_last record;
begin
  -- Lock the stream's row (creating it at -1, "no stream"): appends to one stream queue here,
  -- appends to different streams do not touch each other.
  insert into ${schema}.streams as s (stream_name, revision) values (p_stream, -1)
    on conflict (stream_name) do update set revision = s.revision
    returning s.revision into v_current;

  -- A retry of an append that already committed: same ids, same stream, same order.
  select count(*) into v_found from ${schema}.events where event_id = any(v_ids);
  if v_found > 0 then
    if v_found = v_count and v_ids = array(
        select event_id from ${schema}.events
        where stream_name = p_stream and event_id = any(v_ids) order by stream_revision) then
      select global_position, transaction_id::text as tx, stream_revision into v_last
        from ${schema}.events where event_id = v_ids[v_count];
      return jsonb_build_object('status', 'replayed', 'revision', v_last.stream_revision,
        'position', v_last.global_position, 'tx', v_last.tx);
    end if;
    return jsonb_build_object('status', 'duplicate_event_id', 'eventId',
      (select event_id from ${schema}.events where event_id = any(v_ids) limit 1));
  end if;

  if not (p_expected = 'any'
      or (p_expected = 'no_stream' and v_current = -1)
      or (p_expected = 'stream_exists' and v_current >= 0)
      or (p_expected ~ '^[0-9]+$' and p_expected::bigint = v_current)) then
    return jsonb_build_object('status', 'wrong_revision', 'actual', v_current);
  end if;

  insert into ${schema}.events
    (event_id, stream_name, stream_revision, event_type, schema_version, data, metadata)
  select (e->>'eventId')::uuid, p_stream, v_current + ord, e->>'type',
         (e->>'schemaVersion')::integer, e->'data', e->'metadata'
  from jsonb_array_elements(p_events) with ordinality as t(e, ord)
  order by ord;

  update ${schema}.streams set revision = v_current + v_count where stream_name = p_stream;

  select global_position, transaction_id::text as tx into v_last
    from ${schema}.events where stream_name = p_stream and stream_revision = v_current + v_count;
  return jsonb_build_object('status', 'ok', 'revision', v_current + v_count,
    'position', v_last.global_position, 'tx', v_last.tx);
end
$fn$;

insert into ${schema}.schema_migrations (version) values (${EVENT_STORE_SCHEMA_VERSION})
  on conflict do nothing;
`;
}

const EVENT_COLUMNS = `global_position, transaction_id::text as transaction_id, event_id::text as event_id,
  stream_name, stream_revision, event_type, schema_version, data, metadata, recorded_at`;

/** Every event after the cursor pair whose transaction can no longer be running. */
export function readAllSql(schema: string): string {
  return `select ${EVENT_COLUMNS} from ${schema}.events
    where (transaction_id, global_position) > ($1::xid8, $2::bigint)
      and transaction_id < pg_snapshot_xmin(pg_current_snapshot())
    order by transaction_id, global_position
    limit $3`;
}

export function readStreamSql(schema: string): string {
  return `select ${EVENT_COLUMNS} from ${schema}.events
    where stream_name = $1 and stream_revision >= $2
    order by stream_revision
    limit $3`;
}

export function headSql(schema: string): string {
  return `select transaction_id::text as transaction_id, global_position from ${schema}.events
    where transaction_id < pg_snapshot_xmin(pg_current_snapshot())
    order by transaction_id desc, global_position desc
    limit 1`;
}

export function transactionOfSql(schema: string): string {
  return `select transaction_id::text as transaction_id from ${schema}.events where global_position = $1`;
}

export function appendSql(schema: string): string {
  return `select ${schema}.append_to_stream($1, $2, $3::jsonb) as result`;
}

/** A row of the events table as both drivers return it (bigints may come back as strings). */
export interface EventRow {
  global_position: number | string;
  transaction_id: string;
  event_id: string;
  stream_name: string;
  stream_revision: number | string;
  event_type: string;
  schema_version: number;
  data: Record<string, unknown>;
  metadata: Record<string, unknown>;
  recorded_at: Date;
}
