/**
 * A page of rows read in log order with one row more than `limit` (which says whether another
 * page follows); the cursor is the last returned row's position.
 */
export function pageByPosition<R extends { position: string | number }, V>(
  rows: readonly R[],
  limit: number,
  view: (row: R) => V,
): { items: V[]; nextCursor: string | null } {
  const last = rows[limit - 1];
  return {
    items: rows.slice(0, limit).map(view),
    nextCursor: rows.length > limit && last ? String(last.position) : null,
  };
}
