/** The little a SQL adapter needs from a driver; PGlite and `pg` both fit it. */
export interface SqlClient {
  query<Row>(text: string, params?: readonly unknown[]): Promise<{ rows: Row[] }>;
  /** Runs DDL made of several statements. */
  exec(text: string): Promise<void>;
  close(): Promise<void>;
}
