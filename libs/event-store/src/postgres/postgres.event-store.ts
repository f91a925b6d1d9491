import { Client, Pool, type PoolConfig } from 'pg';
import type { EventStore } from '../event-store.port';
import { assertSchemaName } from '../sql/event-store.sql';
import { classifyPgError } from '../sql/pg-errors';
import { pgConnection } from './hosts';
import { isLinkFailure, LinkBreaker } from './link-breaker';
import {
  withUnavailableErrors,
  type NotificationHandlers,
  type SqlClient,
  type SqlQuery,
  type TransactionOptions,
} from '../sql/sql-client';
import { SqlEventStore } from '../sql/sql-event-store';

export interface PostgresStoreOptions {
  readonly connectionString: string;
  readonly schema?: string;
  /** Connections in the pool; each append holds one for a single round trip. */
  readonly poolSize?: number;
  /** How often an idle subscription looks for commits made by other processes. */
  readonly pollIntervalMs?: number;
  /** `statement_timeout` of every connection (the client waits this plus a second at most). */
  readonly statementTimeoutMs?: number;
  /** Append statements at once (group commit beyond; `SqlEventStoreOptions.appendsAtOnce`). */
  readonly appendsAtOnce?: number;
}

export const DEFAULT_PG_POOL_SIZE = 10;
/**
 * Appends beyond this many at once wait and go together in one transaction: a few statements in
 * flight keep the server busy while the waiting ones gather (docs/benchmarks.md).
 */
export const DEFAULT_PG_APPENDS_AT_ONCE = 2;
/**
 * A request fails fast with STORE_UNAVAILABLE instead of queueing behind a dead server: this
 * bounds a new connection and the wait for a free one in the pool.
 */
const CONNECT_TIMEOUT_MS = 3000;
/**
 * The server cancels (and rolls back) a statement running longer than this: every statement of
 * the ledger is bounded (one append, one page, one batch), so one this slow means an overloaded
 * or locked server, and the request answers STORE_UNAVAILABLE instead of hanging.
 */
export const DEFAULT_STATEMENT_TIMEOUT_MS = 5000;
/**
 * The client gives up on a statement a little after the server would have cancelled it: only a
 * silent network (no answer, no reset) gets this far. The outcome of a write is then unknown,
 * which is why every write can be retried with its Idempotency-Key.
 */
const QUERY_TIMEOUT_MARGIN_MS = 1000;
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
  const sql = pgClient(pool, schema);
  try {
    const events = await SqlEventStore.open(sql, {
      kind: 'postgres',
      schema,
      pollIntervalMs: options.pollIntervalMs ?? DEFAULT_PG_POLL_INTERVAL_MS,
      classifyError: classifyPgError,
      appendsAtOnce: options.appendsAtOnce ?? DEFAULT_PG_APPENDS_AT_ONCE,
    });
    return { events, sql };
  } catch (error) {
    // The breaker too: its probe of an unreachable server would otherwise go on for ever.
    await sql.close();
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
  const statementTimeout = options.statementTimeoutMs ?? DEFAULT_STATEMENT_TIMEOUT_MS;
  const config: PoolConfig = {
    connectionString: options.connectionString,
    max: options.poolSize ?? DEFAULT_PG_POOL_SIZE,
    connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
    statement_timeout: statementTimeout,
    query_timeout: statementTimeout + QUERY_TIMEOUT_MARGIN_MS,
    // A connection idle in a pool is probed by TCP, so one a dead server left is found sooner.
    keepAlive: true,
    application_name: 'rider-ledger',
    // Tables the ledger names without a schema (personal data, idempotency keys) belong to this
    // deployment's schema, not to `public`: two deployments on one database never share them.
    ...(options.schema !== undefined && { options: `-c search_path=${options.schema},public` }),
  };
  // Several hosts (a primary and its standbys): connections go to the one that takes writes.
  const connection = pgConnection(options.connectionString, config);
  return { ...connection.config, ...(connection.Client && { Client: connection.Client }) };
}

/** The Client class of a pool's connections (the failover one for several hosts). */
export function clientOf(config: PoolConfig): typeof Client {
  return (config.Client as typeof Client | undefined) ?? Client;
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
  const breaker = new LinkBreaker(pool.options, clientOf(pool.options));
  /** Every call: refused at once while the link is down; a link failure opens the breaker. */
  const guarded = async <T>(call: () => Promise<T>): Promise<T> => {
    breaker.check();
    try {
      return await call();
    } catch (error) {
      breaker.failed(error);
      throw error;
    }
  };
  return withUnavailableErrors({
    query: <Row>(text: string, params?: readonly unknown[]) =>
      guarded(async () => {
        // Named statements are parsed and planned once per connection, then only executed.
        const result = await pool.query({
          name: statementName(text),
          text,
          values: params ? [...params] : undefined,
        });
        return { rows: result.rows as Row[] };
      }),
    // Several processes may start at once: the advisory lock makes schema creation one at a time.
    // A multi-statement simple query is one implicit transaction, so the xact lock spans it.
    exec: (text) =>
      guarded(async () => {
        await pool.query(
          `select pg_advisory_xact_lock(hashtext('ledger-schema:${schema}'));\n${text}`,
        );
      }),
    transaction: (work, options) => guarded(() => pgTransaction(pool, work, options)),
    listen: (channel, handlers) => listenOn(pool.options, channel, handlers),
    close: async () => {
      await breaker.close();
      await pool.end();
    },
  });
}

/** `work` in one transaction on a connection of the pool (see `SqlClient.transaction`). */
async function pgTransaction<T>(
  pool: Pool,
  work: (query: SqlQuery) => Promise<T>,
  options: TransactionOptions | undefined,
): Promise<T> {
  const client = await pool.connect();
  let broken: Error | undefined;
  // A checked-out client whose connection breaks emits 'error'; unheard, it would end the
  // process. The pending query fails with it, and the client is discarded on release.
  const onError = (error: Error) => (broken = error);
  client.on('error', onError);
  try {
    // One round trip: the timeouts go with the begin (a simple query of several statements).
    const idle = options?.idleTimeoutMs;
    const statement = options?.statementTimeoutMs;
    await client.query(
      [
        'begin',
        ...(idle === undefined
          ? []
          : [`set local idle_in_transaction_session_timeout = ${Math.ceil(idle)}`]),
        ...(statement === undefined
          ? []
          : [`set local statement_timeout = ${Math.ceil(statement)}`]),
      ].join('; '),
    );
    const result = await work(async <Row>(text: string, params?: readonly unknown[]) => {
      const r = await client.query({
        name: statementName(text),
        text,
        values: params ? [...params] : undefined,
        ...(statement !== undefined && { query_timeout: statement + QUERY_TIMEOUT_MARGIN_MS }),
      });
      return { rows: r.rows as Row[] };
    });
    await client.query('commit');
    return result;
  } catch (error) {
    // A lost or silent link cannot roll back (the server does, when the connection ends);
    // a connection that fails to roll back is dead too. The pool must not hand it out again.
    if (isLinkFailure(error)) broken = error as Error;
    else await client.query('rollback').catch((e: Error) => (broken = e));
    throw error;
  } finally {
    client.off('error', onError);
    client.release(broken);
  }
}

/** After a listening connection is lost, it is made again this long after. */
const RELISTEN_AFTER_MS = 1000;
/**
 * A listening connection is asked `select 1` this often, and counts as lost when the answer
 * takes longer than LISTEN_PROBE_TIMEOUT_MS: a connection that died without a word (no reset)
 * would otherwise miss notifications until TCP keepalive noticed, hours later.
 */
const LISTEN_PROBE_MS = 5000;
const LISTEN_PROBE_TIMEOUT_MS = 3000;

/**
 * LISTEN on a connection of its own (outside the pool, which hands connections to anyone), made
 * again after a loss, with `listening` told each time it stops or starts hearing.
 */
async function listenOn(
  config: PoolConfig,
  channel: string,
  handlers: NotificationHandlers,
): Promise<() => Promise<void>> {
  let stopped = false;
  let client: Client | undefined;
  let retry: NodeJS.Timeout | undefined;
  let probe: NodeJS.Timeout | undefined;
  const connect = async (): Promise<void> => {
    const next = new (clientOf(config))({
      ...config,
      statement_timeout: undefined,
      query_timeout: undefined,
    });
    const lost = () => {
      if (client !== next) return;
      client = undefined;
      clearInterval(probe);
      handlers.listening(false);
      void next.end().catch(() => undefined);
      if (!stopped) retry = setTimeout(() => void connect(), RELISTEN_AFTER_MS);
    };
    next.on('error', lost);
    next.on('end', lost);
    next.on('notification', (n) => {
      if (n.channel === channel) handlers.message(n.payload ?? '');
    });
    try {
      await next.connect();
      await next.query(`listen "${channel.replaceAll('"', '""')}"`);
    } catch {
      next.removeAllListeners('end');
      void next.end().catch(() => undefined);
      if (!stopped) retry = setTimeout(() => void connect(), RELISTEN_AFTER_MS);
      return;
    }
    if (stopped) return void next.end().catch(() => undefined);
    client = next;
    handlers.listening(true);
    probe = setInterval(() => {
      let answered = false;
      const silent = setTimeout(() => answered || lost(), LISTEN_PROBE_TIMEOUT_MS);
      next.query('select 1').then(
        () => {
          answered = true;
          clearTimeout(silent);
        },
        () => {
          clearTimeout(silent);
          lost();
        },
      );
    }, LISTEN_PROBE_MS);
    probe.unref();
  };
  await connect();
  return async () => {
    stopped = true;
    clearTimeout(retry);
    clearInterval(probe);
    const last = client;
    client = undefined;
    if (last) {
      handlers.listening(false);
      await last.end().catch(() => undefined);
    }
  };
}
