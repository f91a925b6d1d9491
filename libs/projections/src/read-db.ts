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

/** The lists of wave 2 (api.md): 1–200 items a page, 50 unless asked. */
export const MAX_LIST_LIMIT = 200;
export const DEFAULT_LIST_LIMIT = 50;

/** A list's filter, its page size and where to go on from. */
export interface ListPage {
  readonly limit: number;
  readonly cursor?: string | undefined;
}

/**
 * An opaque cursor: the sort key of a page's last item, as base64url JSON, so the next page
 * starts right after it (keyset paging: no item skipped or repeated when others are added).
 */
export function keysetCursor(key: readonly (string | number)[]): string {
  return Buffer.from(JSON.stringify(key)).toString('base64url');
}

/** The sort key a cursor holds; `undefined` without one; `null` for a cursor this list never gave. */
export function readKeyset(
  cursor: string | undefined,
  size: number,
): (string | number)[] | undefined | null {
  if (cursor === undefined) return undefined;
  try {
    const key: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    const valid =
      Array.isArray(key) &&
      key.length === size &&
      key.every((part) => typeof part === 'string' || typeof part === 'number');
    return valid ? key : null;
  } catch {
    return null; // not base64url JSON: not a cursor of ours
  }
}

/** A page of rows read with one more than `limit`; the cursor is the last returned row's key. */
export function pageByKey<R, V>(
  rows: readonly R[],
  limit: number,
  key: (row: R) => (string | number)[],
  view: (row: R) => V,
): Page<V> {
  const last = rows[limit - 1];
  return {
    items: rows.slice(0, limit).map(view),
    nextCursor: rows.length > limit && last !== undefined ? keysetCursor(key(last)) : null,
  };
}
