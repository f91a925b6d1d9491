import { riderDecider, riderStream, upcastLedgerEvent, type RiderEvent } from '@ledger/domain';
import type { EventStore } from '@ledger/event-store';

export interface BalanceAsOf {
  riderId: string;
  asOf: string;
  balance: number;
  earned: number;
  redeemed: number;
  reversed: number;
  eventsApplied: number;
  lastPosition: number | null;
}

/**
 * A rider's figures from the events of its stream recorded up to `asOf`: the log alone, no read
 * model. Undefined when the rider has no stream at all.
 */
export async function balanceAsOf(
  store: EventStore,
  riderId: string,
  asOf: Date,
  timeZone: string,
): Promise<BalanceAsOf | undefined> {
  let state = riderDecider.initialState(timeZone);
  let applied = 0;
  let seen = 0;
  let lastPosition: number | null = null;
  for (let from = 0; ;) {
    const page = await store.readStream(riderStream(riderId), { fromRevision: from });
    if (page.length === 0) break;
    for (const stored of page) {
      seen++;
      if (stored.recordedAt.getTime() > asOf.getTime()) continue;
      state = riderDecider.evolve(state, upcastLedgerEvent<RiderEvent>(stored));
      applied++;
      lastPosition = stored.position;
    }
    from = page[page.length - 1].revision + 1;
  }
  if (seen === 0) return undefined;
  const { balance, earned, redeemed, reversed } = state;
  return {
    riderId,
    asOf: asOf.toISOString(),
    balance,
    earned,
    redeemed,
    reversed,
    eventsApplied: applied,
    lastPosition,
  };
}
