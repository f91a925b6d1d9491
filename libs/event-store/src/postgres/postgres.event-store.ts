import { Pool, type PoolConfig } from 'pg';
import type { EventStore } from '../event-store.port';
import { assertSchemaName } from '../sql/event-store.sql';
import { classifyPgError } from '../sql/pg-errors';
import type { SqlClient } from '../sql/sql-client';
import { SqlEventStore } from '../sql/sql-event-store';

export interface PostgresStoreOptions {
  readonly connectionString: string;
  readonly schema?: string;
  /** Connections in the pool; each append holds one for a single round trip. */
  readonly poolSize?: number;
  /** How often an idle subscription looks for commits made by other processes. */
  readonly pollIntervalMs?: number;
}

export const DEFAULT_PG_POOL_SIZE = 10;
/** A request fails fast with STORE_UNAVAILABLE instead of queueing behind a dead server. */
const CONNECT_TIMEOUT_MS = 3000;
/** Bounds a statement stuck behind a lock; appends lock one stream row for microseconds. */
const STATEMENT_TIMEOUT_MS = 30_000;
/** Low enough that a worker in another process picks up new events promptly. */
export const DEFAULT_PG_POLL_INTERVAL_MS = 50;

export async function openPostgresEventStore(options: PostgresStoreOptions): Promise<EventStore> {
  return (await openPostgresDatabase(options)).events;
}

/** The event store and a SQL client for other tables, on one pool; closing `events` ends it. */
export async function openPostgresDatabase(
  options: PostgresStoreOptions,
): Promise<{ events: EventStore; sql: SqlClient }> {
  const schema = options.schema ?? 'ledger';
  assertSchemaName(schema);
  const pool = postgresPool(options);
  try {
    const sql = pgClient(pool, schema);
    const events = await SqlEventStore.open(sql, {
      kind: 'postgres',
      schema,
      pollIntervalMs: options.pollIntervalMs ?? DEFAULT_PG_POLL_INTERVAL_MS,
      classifyError: classifyPgError,
    });
    return { events, sql };
  } catch (error) {
    await pool.end();
    throw error;
  }
}

/** A pool for the ledger's tables, with the timeouts that make a dead server fail fast. */
export function postgresPool(options: PostgresStoreOptions): Pool {
  const pool = new Pool(poolConfig(options));
  // An idle client losing its connection emits here; without a listener the process would exit.
  // The next query on the pool gets a fresh connection or a StoreUnavailable.
  pool.on('error', () => undefined);
  return pool;
}

function poolConfig(options: PostgresStoreOptions): PoolConfig {
  return {
    connectionString: options.connectionString,
    max: options.poolSize ?? DEFAULT_PG_POOL_SIZE,
    connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
    statement_timeout: STATEMENT_TIMEOUT_MS,
    application_name: 'rider-ledger',
    // Tables the ledger names without a schema (personal data, idempotency keys) belong to this
    // deployment's schema, not to `public`: two deployments on one database never share them.
    ...(options.schema !== undefined && { options: `-c search_path=${options.schema},public` }),
  };
}

const statementNames = new Map<string, string>();

/** A stable name per distinct SQL text; the adapter's statements are a small fixed set. */
function statementName(text: string): string {
  let name = statementNames.get(text);
  if (name === undefined) {
    name = `ledger_${statementNames.size}`;
    statementNames.set(text, name);
  }
  return name;
}

export function pgClient(pool: Pool, schema: string): SqlClient {
  return {
    query: async <Row>(text: string, params?: readonly unknown[]) => {
      // Named statements are parsed and planned once per connection, then only executed.
      const result = await pool.query({
        name: statementName(text),
        text,
        values: params ? [...params] : undefined,
      });
      return { rows: result.rows as Row[] };
    },
    // Several processes may start at once: the advisory lock makes schema creation one at a time.
    // A multi-statement simple query is one implicit transaction, so the xact lock spans it.
    exec: async (text) => {
      await pool.query(
        `select pg_advisory_xact_lock(hashtext('ledger-schema:${schema}'));\n${text}`,
      );
    },
    transaction: async (work) => {
      const client = await pool.connect();
      try {
        await client.query('begin');
        const result = await work(async <Row>(text: string, params?: readonly unknown[]) => {
          const r = await client.query({
            name: statementName(text),
            text,
            values: params ? [...params] : undefined,
          });
          return { rows: r.rows as Row[] };
        });
        await client.query('commit');
        return result;
      } catch (error) {
        await client.query('rollback').catch(() => undefined);
        throw error;
      } finally {
        client.release();
      }
    },
    close: () => pool.end(),
  };
}
