import { riderDecider, riderStream, upcastLedgerEvent, type RiderEvent } from '@ledger/domain';
import { streamEvents, type EventStore, type StoredEvent } from '@ledger/event-store';

/** Which time of an event `asOf` is compared with: when it was recorded, or when the act happened. */
export type AsOfBy = 'recorded' | 'occurred';

export interface BalanceAsOf {
  riderId: string;
  asOf: string;
  by: AsOfBy;
  balance: number;
  earned: number;
  redeemed: number;
  reversed: number;
  eventsApplied: number;
  lastPosition: number | null;
}

/**
 * A rider's figures from the events of its stream recorded (or, `by: 'occurred'`, whose acts
 * happened) up to `asOf`: the log alone, no read model. Undefined when the rider has no stream.
 * An award's act happens when its `occurredAt` says, up to 90 days before it is recorded; every
 * other act when it is recorded.
 */
export async function balanceAsOf(
  store: EventStore,
  riderId: string,
  asOf: Date,
  timeZone: string,
  by: AsOfBy = 'recorded',
): Promise<BalanceAsOf | undefined> {
  let state = riderDecider.initialState(timeZone);
  let applied = 0;
  let seen = 0;
  let lastPosition: number | null = null;
  for await (const stored of streamEvents(store, riderStream(riderId))) {
    seen++;
    if (timeOf(stored, by) > asOf.getTime()) continue;
    state = riderDecider.evolve(state, upcastLedgerEvent<RiderEvent>(stored));
    applied++;
    lastPosition = stored.position;
  }
  if (seen === 0) return undefined;
  const { balance, earned, redeemed, reversed } = state;
  return {
    riderId,
    asOf: asOf.toISOString(),
    by,
    balance,
    earned,
    redeemed,
    reversed,
    eventsApplied: applied,
    lastPosition,
  };
}

/** The event's time as `by` reads it (the metadata's `occurredAt` is the act's). */
function timeOf(stored: StoredEvent, by: AsOfBy): number {
  const occurred = stored.metadata.occurredAt;
  return by === 'occurred' && typeof occurred === 'string'
    ? Date.parse(occurred)
    : stored.recordedAt.getTime();
}
