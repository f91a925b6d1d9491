import type { LedgerEvent } from '@ledger/domain';
import type { SqlQuery, StoredEvent } from '@ledger/event-store';

/** A table a projection owns, with the columns that order its rows (for the replay comparison). */
export interface OwnedTable {
  readonly name: string;
  readonly orderBy: string;
}

export interface ApplyContext {
  readonly schema: string;
  readonly timeZone: string;
}

/**
 * A read model built from the log alone. `apply` is called once per event, in log order, inside
 * the transaction that also moves the projection's checkpoint; it must depend on nothing but the
 * event, its own tables and the time zone, so a rebuild from position 0 gives the same rows.
 */
export interface Projection {
  readonly name: string;
  readonly tables: readonly OwnedTable[];
  ddl(schema: string): string;
  apply(
    event: LedgerEvent,
    stored: StoredEvent,
    query: SqlQuery,
    context: ApplyContext,
  ): Promise<void>;
}
