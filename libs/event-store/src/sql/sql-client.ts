/** One statement on a connection. */
export type SqlQuery = <Row>(text: string, params?: readonly unknown[]) => Promise<{ rows: Row[] }>;

/** The little a SQL adapter needs from a driver; PGlite and `pg` both fit it. */
export interface SqlClient {
  query<Row>(text: string, params?: readonly unknown[]): Promise<{ rows: Row[] }>;
  /** Runs DDL made of several statements. */
  exec(text: string): Promise<void>;
  /** Runs `work` in one transaction on one connection: committed if it resolves, rolled back if not. */
  transaction<T>(work: (query: SqlQuery) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}
