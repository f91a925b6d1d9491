/** The rider (and station) of an award or a redemption named only by its id. */
export interface LocatedEntry {
  readonly entryId: string;
  readonly riderId: string;
  readonly communityId: string;
  readonly stationId: string | null;
}

/**
 * Finds the rider of an entry a request names only by id (a reversal names its award, a
 * cancellation its redemption). The ledger module wires it to the ledger lines read model.
 */
export interface EntryLocator {
  find(entryId: string, type: 'award' | 'redemption'): Promise<LocatedEntry | undefined>;
}
