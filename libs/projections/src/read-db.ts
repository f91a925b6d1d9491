import type { SqlQuery } from '@ledger/event-store';

/** What a read model's queries run on: the read schema and the SQL database that holds it. */
export interface ReadDb {
  readonly schema: string;
  /** One statement, no transaction around it (a statement is its own snapshot): one round trip. */
  query<R>(text: string, params?: readonly unknown[]): Promise<{ rows: R[] }>;
  /** Several statements in one transaction (one snapshot): rows and checkpoints agree. */
  read<T>(work: (query: SqlQuery) => Promise<T>): Promise<T>;
}

/** A page of a list: the items and the cursor of the next page, `null` on the last. */
export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

/**
 * A page of rows read in log order with one row more than `limit` (which says whether another
 * page follows); the cursor is the last returned row's position.
 */
export function pageByPosition<R extends { position: string | number }, V>(
  rows: readonly R[],
  limit: number,
  view: (row: R) => V,
): Page<V> {
  const last = rows[limit - 1];
  return {
    items: rows.slice(0, limit).map(view),
    nextCursor: rows.length > limit && last ? String(last.position) : null,
  };
}

/** Numbers come back from `bigint` columns as strings on PostgreSQL. */
export const num = (value: unknown): number => Number(value);
/** Times come back as Date (pg) or as text (some aggregates): always ISO-8601 in UTC. */
export const iso = (value: unknown): string =>
  (value instanceof Date ? value : new Date(String(value))).toISOString();
