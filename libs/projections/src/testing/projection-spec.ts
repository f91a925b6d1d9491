import { EVENT_SCHEMA_VERSIONS, type LedgerEvent } from '@ledger/domain';
import { openEmbeddedDatabase, START, type SqlClient, type StoredEvent } from '@ledger/event-store';
import { advanceCheckpoint, readModelsDdl } from '../checkpoints';
import type { BatchEvent, Projection } from '../projection';
import type { ReadDb } from '../read-db';

export const SPEC_TIME_ZONE = 'Asia/Shanghai';
/** When the given events were recorded, unless one says otherwise. */
export const SPEC_RECORDED_AT = '2026-06-15T04:00:00.000Z';

/** A given event: the domain event, with what the store adds when a spec needs to set it. */
export type Given =
  | LedgerEvent
  | {
      readonly event: LedgerEvent;
      readonly recordedAt?: string;
      readonly actor?: string;
      readonly stream?: string;
    };

export type Row = Record<string, unknown>;

/**
 * Given/then for a projection, as `given(decider, events)` is for a decider:
 * `await spec.given(events).then({ table: rows })`. The events are applied twice into fresh
 * schemas of an in-memory database, once as one batch and once an event per batch, and the two
 * must agree: a projection's rows depend on the events alone, never on batch boundaries. `then`
 * compares each named table (in its key order) and answers the batch-applied schema, for the
 * spec to run the model's queries on.
 */
export function projectionSpec(projection: Projection) {
  let sql: SqlClient;
  let close: () => Promise<void>;
  let schemas = 0;
  beforeAll(async () => {
    const opened = await openEmbeddedDatabase({ dataDir: 'memory://' });
    sql = opened.sql;
    close = () => opened.events.close();
  });
  afterAll(() => close());

  const applyInto = (batches: readonly BatchEvent[][], options: ApplyOptions = {}) =>
    applyEvents(sql, `spec_${++schemas}`, projection, batches, options);

  return {
    given(events: readonly Given[]) {
      const batch = stored(events);
      return {
        async then(tables: Readonly<Record<string, readonly Row[]>>): Promise<ReadDb> {
          const whole = await applyInto([batch]);
          const others = [await applyInto(batch.map((e) => [e]))];
          // A projection that defers work in a rebuild must end with the same rows, whether its
          // fold runs once, midway and at the end, or at the next start.
          if (projection.flush) {
            const singles = batch.map((e) => [e]);
            others.push(
              await applyInto(singles, { deferred: true }),
              await applyInto(singles, { deferred: true, flushAfter: batch.length >> 1 }),
              await applyInto([batch], { deferred: true, reopen: true }),
            );
          }
          for (const [table, expected] of Object.entries(tables)) {
            const rows = await rowsOf(whole, projection, table);
            for (const other of others)
              expect({ table, rows: await rowsOf(other, projection, table) }).toEqual({
                table,
                rows,
              });
            expect({ table, rows: comparable(rows, expected) }).toEqual({ table, rows: expected });
          }
          return whole;
        },
      };
    },
  };
}

/**
 * `deferred`: as a rebuild applies them, with `flush` after the batch `flushAfter` (when given)
 * and at the end, or (`reopen`) not at the end but by opening the schema again, as a start after
 * a crash does.
 */
interface ApplyOptions {
  readonly deferred?: boolean;
  readonly flushAfter?: number;
  readonly reopen?: boolean;
}

/** `batches` applied into a fresh `schema`, each in a transaction with the checkpoint. */
async function applyEvents(
  sql: SqlClient,
  schema: string,
  projection: Projection,
  batches: readonly BatchEvent[][],
  options: ApplyOptions,
): Promise<ReadDb> {
  const ddl = readModelsDdl(schema, [projection]);
  await sql.exec(`create schema ${schema};\n${ddl}`);
  const context = { schema, timeZone: SPEC_TIME_ZONE, deferred: options.deferred ?? false };
  const flush = () =>
    sql.transaction((query) => projection.flush?.(query, context) ?? Promise.resolve());
  let from = START;
  for (const [i, batch] of batches.entries()) {
    if (i === options.flushAfter) await flush();
    if (batch.length === 0) continue;
    const last = batch[batch.length - 1].stored;
    await sql.transaction(async (query) => {
      await advanceCheckpoint(query, schema, projection.name, { from, last, count: batch.length });
      await projection.applyBatch(batch, query, context);
    });
    from = last.cursor;
  }
  if (options.deferred) await (options.reopen ? sql.exec(ddl) : flush());
  return {
    schema,
    query: (text, params = []) => sql.query(text, params),
    read: (work) => sql.transaction(work),
  };
}

/** The events as a store would give them back: positions 1…n, revisions per stream. */
function stored(events: readonly Given[]): BatchEvent[] {
  const revisions = new Map<string, number>();
  return events.map((given, i) => {
    const {
      event,
      recordedAt = SPEC_RECORDED_AT,
      actor = 'admin',
      stream,
    } = 'event' in given ? given : { event: given };
    const streamName = stream ?? streamOf(event);
    const revision = revisions.get(streamName) ?? 0;
    revisions.set(streamName, revision + 1);
    const data = event.data as Record<string, unknown>;
    const occurredAt = typeof data.occurredAt === 'string' ? data.occurredAt : recordedAt;
    const storedEvent: StoredEvent = {
      eventId: `spec-${i + 1}`,
      streamName,
      revision,
      position: i + 1,
      cursor: String(i + 1),
      type: event.type,
      schemaVersion: EVENT_SCHEMA_VERSIONS[event.type],
      data,
      metadata: { actor: { principalId: actor, role: 'admin' }, occurredAt, recordedAt },
      recordedAt: new Date(recordedAt),
    };
    return { event, stored: storedEvent };
  });
}

/** The stream an event would be on, named by the id its data leads with (`rider-r1` …). */
function streamOf(event: LedgerEvent): string {
  const data = event.data as Record<string, unknown>;
  for (const [key, kind] of [
    ['riderId', 'rider'],
    ['fundId', 'fund'],
    ['stationId', 'station'],
    ['taskId', 'task'],
    ['selectionId', 'selection'],
    ['principalId', 'principal'],
    ['communityId', 'community'],
  ] as const) {
    if (typeof data[key] === 'string') return `${kind}-${data[key]}`;
  }
  return 'spec';
}

async function rowsOf(db: ReadDb, projection: Projection, name: string): Promise<Row[]> {
  const table = projection.tables.find((t) => t.name === name);
  if (!table) throw new Error(`${projection.name} has no table ${name}`);
  const { rows } = await db.query<Row>(
    `select * from ${db.schema}.${table.name} order by ${table.orderBy}`,
  );
  return rows;
}

/**
 * The rows in the form the expectation is written in: only the columns it names, times as
 * ISO-8601 strings, numbers that come back as text (bigint on some drivers) as numbers.
 */
function comparable(rows: readonly Row[], expected: readonly Row[]): Row[] {
  return rows.map((row, i) => {
    const shape = expected[i] ?? row;
    return Object.fromEntries(
      Object.keys(shape).map((column) => {
        const value = row[column];
        if (value instanceof Date) return [column, value.toISOString()];
        if (typeof shape[column] === 'number' && typeof value === 'string')
          return [column, Number(value)];
        return [column, value];
      }),
    );
  });
}
