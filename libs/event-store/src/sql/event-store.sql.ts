/**
 * The SQL of the event log, shared by the embedded (PGlite) and PostgreSQL adapters: one
 * schema, one append function, one fenced read. Neither adapter has SQL of its own.
 */

const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

/** Bumped when the DDL below changes; recorded in `schema_migrations`. */
export const EVENT_STORE_SCHEMA_VERSION = 3;

export function assertSchemaName(schema: string): void {
  if (!SCHEMA_NAME.test(schema)) {
    throw new Error(`schema name "${schema}" must match ${SCHEMA_NAME.source}`);
  }
}

/**
 * `transaction_id` is the gap fence: a sequence value is taken before commit, so a higher
 * `global_position` can become visible before a lower one. Readers only take rows whose
 * transaction is older than every append still running (`log_fence`), ordered by
 * (transaction_id, global_position), and keep that pair as their cursor; a late commit therefore
 * always sorts after a cursor already handed out.
 */
export function schemaDdl(schema: string): string {
  assertSchemaName(schema);
  // The version is recorded last: a schema that has it has everything before it.
  const recorded = `insert into ${schema}.schema_migrations (version)
    values (${EVENT_STORE_SCHEMA_VERSION}) on conflict do nothing;`;
  return [
    guardDdl(schema),
    tablesDdl(schema),
    earlierAppendDdl(schema),
    appendDdl(schema),
    appendManyDdl(schema),
    fenceDdl(schema),
    recorded,
  ].join('\n');
}

/**
 * First, in the same transaction as the rest: processes starting together take turns (two
 * `create or replace function` at once fail), and a schema a newer release recorded is left as
 * it is (its functions are not replaced by older ones): the open fails with NEWER_STORE_MARK.
 */
function guardDdl(schema: string): string {
  return `
select pg_advisory_xact_lock(hashtext('rider-ledger schema ${schema}'));
do $guard$ begin
  if to_regclass('${schema}.schema_migrations') is not null then
    if (select max(version) from ${schema}.schema_migrations) > ${EVENT_STORE_SCHEMA_VERSION} then
      raise exception '${NEWER_STORE_MARK}';
    end if;
  end if;
end $guard$;`;
}

/** What the guard raises: the open turns it into `StoreNewerThanCode`. */
export const NEWER_STORE_MARK = 'ledger store newer than this release';

function tablesDdl(schema: string): string {
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
`;
}

function earlierAppendDdl(schema: string): string {
  return `
-- The events of an earlier append with these ids, if there was one: 'replayed' when it was this
-- very append (same stream, same ids, same order), 'duplicate_event_id' when the ids were used
-- otherwise, null when none of them is stored.
create or replace function ${schema}.earlier_append(p_stream text, p_events jsonb)
returns jsonb language sql stable as $fn$
  select case
    when count(*) = 0 then null
    when count(*) = jsonb_array_length(p_events)
      and bool_and(e.stream_name = p_stream)
      and array_agg(e.event_id order by e.stream_revision) = array(
        select (x.value->>'eventId')::uuid
        from jsonb_array_elements(p_events) with ordinality as x(value, ord) order by x.ord)
    then jsonb_build_object('status', 'replayed',
      'revision', max(e.stream_revision),
      'position', (array_agg(e.global_position order by e.stream_revision desc))[1],
      'tx', (array_agg(e.transaction_id::text order by e.stream_revision desc))[1])
    else jsonb_build_object('status', 'duplicate_event_id', 'eventId', min(e.event_id::text))
  end
  from ${schema}.events e
  where e.event_id in (select (x->>'eventId')::uuid from jsonb_array_elements(p_events) x)
$fn$;
`;
}

function appendDdl(schema: string): string {
  return `
-- One round trip per append. The streams row is the lock: checking the expected revision and
-- moving it happen in one statement, so appends to one stream queue there and appends to
-- different streams never touch each other.
create or replace function ${schema}.append_to_stream(p_stream text, p_expected text, p_events jsonb)
returns jsonb language plpgsql as $fn$
declare
  v_count integer := jsonb_array_length(p_events);
  v_current bigint;
  v_earlier jsonb;
  v_position bigint;
  v_tx text;
begin
${takeAppendLock(schema)}

  -- With no revision to check, a retry is only recognisable by its ids: look first.
  if p_expected in ('any', 'stream_exists') then
    v_earlier := ${schema}.earlier_append(p_stream, p_events);
    if v_earlier is not null then return v_earlier; end if;
  end if;

  if p_expected = 'no_stream' then
    insert into ${schema}.streams (stream_name, revision) values (p_stream, v_count - 1)
      on conflict (stream_name) do nothing
      returning -1 into v_current;
  elsif p_expected = 'any' then
    insert into ${schema}.streams as s (stream_name, revision) values (p_stream, v_count - 1)
      on conflict (stream_name) do update set revision = s.revision + v_count
      returning s.revision - v_count into v_current;
  else
    update ${schema}.streams set revision = revision + v_count
      where stream_name = p_stream
        and (case when p_expected = 'stream_exists' then revision >= 0
                  else revision = p_expected::bigint end)
      returning revision - v_count into v_current;
  end if;

  if v_current is null then
    -- A retry of an append that committed finds the stream moved on: it is not a conflict.
    v_earlier := ${schema}.earlier_append(p_stream, p_events);
    if v_earlier is not null then return v_earlier; end if;
    return jsonb_build_object('status', 'wrong_revision', 'actual',
      coalesce((select revision from ${schema}.streams where stream_name = p_stream), -1));
  end if;

  with inserted as (
    insert into ${schema}.events
      (event_id, stream_name, stream_revision, event_type, schema_version, data, metadata)
    select (e->>'eventId')::uuid, p_stream, v_current + ord, e->>'type',
           (e->>'schemaVersion')::integer, e->'data', e->'metadata'
    from jsonb_array_elements(p_events) with ordinality as t(e, ord)
    order by ord
    returning global_position, transaction_id
  )
  select max(global_position), min(transaction_id::text) into v_position, v_tx from inserted;

  return jsonb_build_object('status', 'ok', 'revision', v_current + v_count,
    'position', v_position, 'tx', v_tx);
end
$fn$;
`;
}

function appendManyDdl(schema: string): string {
  return `
-- Several appends, to different streams or not, in one transaction and one round trip (group
-- commit, version 2). Each is the append above and answers alone: one that meets the wrong
-- revision or a used id changes nothing and does not stop the others. The caller orders them by
-- stream, so two such transactions take the streams' rows in the same order.
create or replace function ${schema}.append_many(p_appends jsonb)
returns jsonb language plpgsql as $fn$
declare
  v_results jsonb[] := '{}';
  v_item jsonb;
begin
  for v_item in select value from jsonb_array_elements(p_appends) loop
    v_results := v_results || ${schema}.append_to_stream(
      v_item->>'stream', v_item->>'expected', v_item->'events');
  end loop;
  return to_jsonb(v_results);
end
$fn$;
`;
}

// `tx`, not `transaction_id`: an output column named like the table column would make
// ORDER BY sort by the text (so '1000' before '999').
const EVENT_COLUMNS = `global_position, transaction_id::text as tx, event_id::text as event_id,
  stream_name, stream_revision, event_type, schema_version, data, metadata, recorded_at`;

/** Every event after the cursor pair whose transaction is below the fence (see `log_fence`). */
export function readAllSql(schema: string): string {
  return `select ${EVENT_COLUMNS} from ${schema}.events
    where (transaction_id, global_position) > ($1::xid8, $2::bigint)
      and transaction_id < (select ${schema}.log_fence())
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
  return `select transaction_id::text as tx, global_position from ${schema}.events
    where transaction_id < (select ${schema}.log_fence())
    order by transaction_id desc, global_position desc
    limit 1`;
}

/** The lock every append holds (shared), as `pg_advisory_xact_lock_shared`'s two keys. */
function appendLockKey(schema: string): string {
  return `hashtext('rider-ledger appends'), hashtext('${schema}')`;
}

/**
 * The first thing an append does (version 3): the log's readers tell an append's transaction
 * from every other on the server by this lock (see `log_fence`), taken before the transaction has
 * an id; a transaction that has written before its first append is refused, since a reader could
 * pass it while it is open.
 */
function takeAppendLock(schema: string): string {
  return `  if current_setting('${appendingSetting(schema)}', true) is distinct from 'on' then
    if pg_current_xact_id_if_assigned() is not null then
      raise exception 'an append must come first in its transaction (the log''s readers could pass it)';
    end if;
    perform pg_advisory_xact_lock_shared(${appendLockKey(schema)});
    perform set_config('${appendingSetting(schema)}', 'on', true);
  end if;`;
}

/** A setting local to the transaction: it holds the append lock already. */
function appendingSetting(schema: string): string {
  return `rider_ledger.appending_${schema}`;
}

function fenceDdl(schema: string): string {
  return `
-- The log's fence (version 3): every row whose transaction is below it is visible to the calling
-- statement's snapshot (a STABLE function sees its caller's), and no append can add another.
-- pg_snapshot_xmin alone was held back by any transaction on the server that had written and
-- stayed open (another schema's worker frozen mid-batch, another database's client, a psql left
-- in a transaction): readers stood still for as long as it did. Here only appends count: every
-- append holds the lock below, taken before its transaction has an id. So does, in effect, a
-- transaction writing the log's tables without it (an older release's append while an upgrade
-- runs: it locks the streams table before its first write, which gives it its id; a row write's
-- mode, not vacuum's or analyze's, which take no id and would send the fence to xmin). One read of
-- the lock table gives each holder's id; when one shows none (it may be between taking its id,
-- in snapshots at once, and registering it), the fence falls back to xmin. Then which of the
-- snapshot's running transactions still run: one that ended since the lock table was read may
-- have been an append, and counts (it only delays the next read).
create or replace function ${schema}.log_fence()
returns xid8 language plpgsql stable as $fn$
declare
  v_snapshot pg_snapshot := pg_current_snapshot();
  v_xmin xid8 := pg_snapshot_xmin(v_snapshot);
  v_holder record;
  v_appenders xid[] := '{}';
  v_fence xid8;
begin
  if v_xmin = pg_snapshot_xmax(v_snapshot) then
    return v_xmin; -- nothing was running
  end if;
  if pg_is_in_recovery() then
    return v_xmin; -- a standby does not see the primary's locks
  end if;
  for v_holder in
    select array_agg(l.transactionid) filter (where l.locktype = 'transactionid') as ids
      from pg_locks l
      where l.granted and (
        (l.locktype = 'transactionid' and l.mode = 'ExclusiveLock')
        or (l.database = (select oid from pg_database where datname = current_database()) and (
          (l.locktype = 'advisory' and l.objsubid = 2
            and (l.classid::int4, l.objid::int4) = (${appendLockKey(schema)}))
          or (l.locktype = 'relation' and l.mode = 'RowExclusiveLock'
            and l.relation in ('${schema}.streams'::regclass, '${schema}.events'::regclass)))))
      group by l.virtualtransaction
      having bool_or(l.locktype <> 'transactionid')
  loop
    if v_holder.ids is null then
      return v_xmin;
    end if;
    v_appenders := v_appenders || v_holder.ids;
  end loop;
  select min(x) into v_fence from pg_snapshot_xip(v_snapshot) as x
    where x::xid = any(v_appenders) or pg_xact_status(x) is distinct from 'in progress';
  return coalesce(v_fence, pg_snapshot_xmax(v_snapshot));
end
$fn$;
`;
}

export function transactionOfSql(schema: string): string {
  return `select transaction_id::text as tx from ${schema}.events where global_position = $1`;
}

export function appendSql(schema: string): string {
  return `select ${schema}.append_to_stream($1, $2, $3::jsonb) as result`;
}

export function appendManySql(schema: string): string {
  return `select ${schema}.append_many($1::jsonb) as result`;
}

/** A row of the events table as both drivers return it (bigints may come back as strings). */
export interface EventRow {
  global_position: number | string;
  tx: string;
  event_id: string;
  stream_name: string;
  stream_revision: number | string;
  event_type: string;
  schema_version: number;
  data: Record<string, unknown>;
  metadata: Record<string, unknown>;
  recorded_at: Date;
}
