import { fundDecider, stationDecider, type FundEvent, type StationEvent } from '@ledger/domain';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

/**
 * What a process keeps in memory for every act it serves, by design: a fund holds a record of
 * each award (for retries and releases), a station one of each redemption (and returns). The soak
 * subtracts this from the growth of the API's heap, so what is left is growth nothing explains.
 * Measured here, in this process (same Node, same code), by folding `n` acts shaped like real
 * ones into a state and weighing the heap after a full collection before and after.
 */
export function bytesPerAct(n = 20_000): { award: number; redemption: number } {
  const perAct = (fold: () => unknown) => Math.max(0, Math.round(heapKeptBy(fold) / n));
  return { award: perAct(() => foldAwards(n)), redemption: perAct(() => foldRedemptions(n)) };
}

/** Heap kept by what `fold` returns, weighed after full collections before and after. */
export function heapKeptBy(fold: () => unknown): number {
  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc') as () => void;
  gc();
  const before = process.memoryUsage().heapUsed;
  const kept = fold();
  gc();
  const bytes = process.memoryUsage().heapUsed - before;
  void kept; // held until weighed
  return Math.max(0, bytes);
}

/** Parsed from JSON, as events read from the store are: every string a copy of its own. */
const parsed = <E>(event: E): E => JSON.parse(JSON.stringify(event)) as E;
const id = (i: number) => `${(1e12 + i * 7919).toString(36)}-4a5b-8c6d-0f3a9c2b7d1e`;
const rider = (i: number) => `jj-r${String(i % 75_000).padStart(5, '0')}`;

/** A fund's state after `n` awards reserved on it. */
function foldAwards(n: number) {
  let state = fundDecider.initialState();
  state = fundDecider.evolve(state, {
    type: 'FundCreated',
    data: { fundId: 'f', name: 'f', district: 'd', budgetPoints: 1_000_000_000 },
  });
  for (let i = 0; i < n; i++) state = fundDecider.evolve(state, reservedAward(i));
  return state;
}

/** The `i`th award's reservation on a fund, as read from the store (parsed from JSON). */
export function reservedAward(i: number): FundEvent {
  return parsed<FundEvent>({
    type: 'FundPointsReserved',
    data: {
      fundId: 'jiangjin-2026',
      entryId: id(i),
      riderId: rider(i),
      points: 20,
      award: {
        activity: 'patrol',
        ruleVersion: 1,
        reason: '志愿服务',
        occurredAt: '2026-06-14T13:00:00.000Z',
        source: 'staff-backfill',
      },
    },
  });
}

/** A station's state after `n` redemptions' stock reserved on it. */
function foldRedemptions(n: number) {
  let state = stationDecider.initialState();
  const setUp: StationEvent[] = [
    {
      type: 'StationRegistered',
      data: { stationId: 's1', name: 's', district: 'd', kind: 'station' },
    },
    {
      type: 'ItemPriced',
      data: { stationId: 's1', sku: 'water', name: '矿泉水', kind: 'goods', pricePoints: 5 },
    },
    {
      type: 'StockAdded',
      data: { stationId: 's1', sku: 'water', quantity: 1e7, stockAfter: 1e7 },
    },
  ];
  for (const event of setUp) state = stationDecider.evolve(state, event);
  for (let i = 0; i < n; i++)
    state = stationDecider.evolve(
      state,
      parsed<StationEvent>({
        type: 'StockReserved',
        data: {
          stationId: 's1',
          redemptionId: id(i),
          riderId: rider(i),
          items: [{ sku: 'water', quantity: 1, pricePoints: 5 }],
          points: 5,
        },
      }),
    );
  return state;
}
