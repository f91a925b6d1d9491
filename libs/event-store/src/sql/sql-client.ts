import { unavailableError } from './pg-errors';

/** One statement on a connection. */
export type SqlQuery = <Row>(text: string, params?: readonly unknown[]) => Promise<{ rows: Row[] }>;

/** The little a SQL adapter needs from a driver; PGlite and `pg` both fit it. */
export interface SqlClient {
  query<Row>(text: string, params?: readonly unknown[]): Promise<{ rows: Row[] }>;
  /** Runs DDL made of several statements. */
  exec(text: string): Promise<void>;
  /**
   * Runs `work` in one transaction on one connection: committed if it resolves, rolled back if
   * not. `idleTimeoutMs` ends the session (and so the transaction) of a holder that stops
   * between statements that long (`idle_in_transaction_session_timeout`), set with the `begin`.
   */
  transaction<T>(work: (query: SqlQuery) => Promise<T>, options?: TransactionOptions): Promise<T>;
  /**
   * Hears `NOTIFY`s on `channel` (sent with `pg_notify` by any process on the database) until the
   * returned function is called. `listening(false)` says notifications may be missed from now on
   * (the connection was lost), `listening(true)` that they are heard (again); nothing is heard
   * before the first `listening(true)`. Absent where the driver cannot listen.
   */
  listen?(channel: string, handlers: NotificationHandlers): Promise<() => Promise<void>>;
  close(): Promise<void>;
}

export interface TransactionOptions {
  readonly idleTimeoutMs?: number;
  /**
   * Each statement of this transaction may run this long (instead of the connection's
   * `statement_timeout`): for the rare work that is long by nature, such as a rebuild's fold.
   */
  readonly statementTimeoutMs?: number;
}

export interface NotificationHandlers {
  message(payload: string): void;
  listening(on: boolean): void;
}

/**
 * The same client, with every "the database cannot serve now" error (lost connection, timeout,
 * shutdown) turned into `StoreUnavailable`, so every table beside the log (read models, personal
 * data, idempotency keys) fails the way the log does and the API answers 503, not 500.
 */
export function withUnavailableErrors(client: SqlClient): SqlClient {
  const run = async <T>(call: () => Promise<T>): Promise<T> => {
    try {
      return await call();
    } catch (error) {
      throw unavailableError(error) ?? error;
    }
  };
  return {
    query: (text, params) => run(() => client.query(text, params)),
    exec: (text) => run(() => client.exec(text)),
    transaction: (work, options) => run(() => client.transaction(work, options)),
    ...(client.listen && { listen: client.listen.bind(client) }),
    close: () => client.close(),
  };
}
