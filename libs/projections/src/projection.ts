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
  /**
   * A rebuild: nobody reads these tables until it ends, so a projection may put off work that is
   * cheaper done once (`flush`), as long as `flush` (or its next start) finishes it.
   */
  readonly deferred?: boolean;
}

/** An event of a batch, as stored and as the domain reads it. */
export interface BatchEvent {
  readonly event: LedgerEvent;
  readonly stored: StoredEvent;
}

/**
 * A read model built from the log alone. `applyBatch` gets events in log order, inside the
 * transaction that also moves the projection's checkpoint; it must depend on nothing but the
 * events, its own tables and the time zone, so a rebuild from position 0 gives the same rows,
 * whatever the batch boundaries.
 */
export interface Projection {
  readonly name: string;
  /**
   * The shape of its tables and what it keeps in them. Raising it rebuilds the projection: at the
   * next start its tables are dropped and filled again from position 0 (default 1).
   */
  readonly version?: number;
  readonly tables: readonly OwnedTable[];
  ddl(schema: string): string;
  applyBatch(batch: readonly BatchEvent[], query: SqlQuery, context: ApplyContext): Promise<void>;
  /** Finishes what deferred batches put off (see `ApplyContext.deferred`); idempotent. */
  flush?(query: SqlQuery, context: ApplyContext): Promise<void>;
}

/** A projection whose events are few (registrations, selections): one statement per event. */
export function perEvent(
  apply: (
    event: LedgerEvent,
    stored: StoredEvent,
    query: SqlQuery,
    context: ApplyContext,
  ) => Promise<void>,
): Projection['applyBatch'] {
  return async (batch, query, context) => {
    for (const { event, stored } of batch) await apply(event, stored, query, context);
  };
}
