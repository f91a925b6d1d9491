import {
  fold,
  fundDecider,
  remainingPoints,
  riderDecider,
  stationDecider,
  fundStream,
  riderStream,
  stationStream,
  type ActivityRule,
  type Actor,
  type LedgerEvent,
  type RiderState,
} from '@ledger/domain';
import type { EventStore } from '@ledger/event-store';
import {
  AwardPointsHandler,
  AwardPointsCommand,
  CancelRedemptionCommand,
  CancelRedemptionHandler,
  MakeRedemptionCommand,
  MakeRedemptionHandler,
  ReverseAwardCommand,
  ReverseAwardHandler,
  SettlementRecovery,
  StreamCommand,
  StreamCommandHandler,
  StreamWriter,
  toDomainEvent,
  type LedgerRequest,
  type StreamCommandBody,
} from '@ledger/ledger';
import { randomUUID } from 'node:crypto';
import { SHANGHAI } from './decider-spec';

export const ADMIN: Actor = {
  principalId: 'admin',
  role: 'admin',
  communityIds: [],
  stationIds: [],
};
export const FIXTURE_NOW = new Date('2026-06-15T04:00:00Z');
export const FIXTURE_RULES: ActivityRule[] = [
  { activity: 'patrol', points: 10 },
  { activity: 'rescue', points: 50, maxPointsPerRiderPerDay: 100 },
];

export function requestOf(actor: Actor = ADMIN, idempotencyKey?: string): LedgerRequest {
  return {
    context: { actor, now: FIXTURE_NOW, timeZone: SHANGHAI },
    correlationId: randomUUID(),
    ...(idempotencyKey !== undefined && { idempotencyKey }),
  };
}

/** The ledger's handlers over one store, as one process would hold them. */
export function ledgerProcess(store: EventStore) {
  const writer = new StreamWriter(store);
  return {
    writer,
    stream: new StreamCommandHandler(writer),
    award: new AwardPointsHandler(writer),
    reverse: new ReverseAwardHandler(writer),
    redeem: new MakeRedemptionHandler(writer),
    cancel: new CancelRedemptionHandler(writer),
    recovery: new SettlementRecovery(store, writer, SHANGHAI),
    run: (body: StreamCommandBody) =>
      new StreamCommandHandler(writer).execute(new StreamCommand(body, requestOf())),
    awardPoints: (riderId: string, points: number, fundId = 'f1', key?: string) =>
      new AwardPointsHandler(writer).execute(
        new AwardPointsCommand(
          {
            riderId,
            activity: 'patrol',
            fundId,
            reason: '夜间巡逻',
            occurredAt: '2026-06-14T13:00:00Z',
            points,
          },
          requestOf(ADMIN, key),
        ),
      ),
    reverseAward: (riderId: string, entryId: string) =>
      new ReverseAwardHandler(writer).execute(
        new ReverseAwardCommand({ riderId, entryId, reason: '误发' }, requestOf()),
      ),
    redeemItems: (riderId: string, quantity: number, stationId = 's1', key?: string) =>
      new MakeRedemptionHandler(writer).execute(
        new MakeRedemptionCommand(
          { riderId, stationId, items: [{ sku: 'water', quantity }] },
          requestOf(ADMIN, key),
        ),
      ),
    cancelRedemption: (riderId: string, redemptionId: string) =>
      new CancelRedemptionHandler(writer).execute(
        new CancelRedemptionCommand({ riderId, redemptionId, reason: '误兑' }, requestOf()),
      ),
  };
}

export type LedgerProcess = ReturnType<typeof ledgerProcess>;

/** A district in miniature: one community, the rules, one fund, riders, one station with water. */
export async function seedLedger(
  p: LedgerProcess,
  options: { riders: number; budgetPoints: number; pricePoints: number; stock: number },
): Promise<void> {
  const must = async (body: StreamCommandBody): Promise<void> => {
    const outcome = await p.run(body);
    if ('code' in outcome) throw new Error(`seed failed: ${outcome.code} ${outcome.detail}`);
  };
  await must({
    kind: 'community',
    id: 'c1',
    command: {
      type: 'RegisterCommunity',
      communityId: 'c1',
      name: '几江社区',
      street: '几江街道',
      district: '江津区',
    },
  });
  await must({ kind: 'rules', command: { type: 'SetRules', rules: FIXTURE_RULES } });
  await must({
    kind: 'fund',
    id: 'f1',
    command: {
      type: 'CreateFund',
      fundId: 'f1',
      name: '小哥积分基金',
      district: '江津区',
      budgetPoints: options.budgetPoints,
    },
  });
  for (let i = 0; i < options.riders; i++) {
    await must({
      kind: 'rider',
      id: `r${i}`,
      command: {
        type: 'RegisterRider',
        riderId: `r${i}`,
        communityId: 'c1',
        platform: '美团',
        occupation: 'food_delivery',
        registrationId: `seed-r${i}`,
      },
    });
  }
  await must({
    kind: 'station',
    id: 's1',
    command: {
      type: 'RegisterStation',
      stationId: 's1',
      name: '小哥驿站',
      district: '江津区',
      kind: 'station',
    },
  });
  await must({
    kind: 'station',
    id: 's1',
    command: {
      type: 'PriceItem',
      stationId: 's1',
      sku: 'water',
      name: '矿泉水',
      kind: 'goods',
      pricePoints: options.pricePoints,
    },
  });
  await must({
    kind: 'station',
    id: 's1',
    command: { type: 'AddStock', stationId: 's1', sku: 'water', quantity: options.stock },
  });
}

/** Everything the invariants of product.md are about, folded straight from the store. */
export async function ledgerTotals(store: EventStore, riders: number) {
  const read = async <E extends LedgerEvent>(stream: string): Promise<E[]> => {
    const out: E[] = [];
    for (let from = 0; ;) {
      const page = await store.readStream(stream, { fromRevision: from });
      out.push(...page.map((e) => toDomainEvent<E>(e)));
      if (page.length === 0) return out;
      from = page[page.length - 1].revision + 1;
    }
  };
  const riderStates: RiderState[] = [];
  for (let i = 0; i < riders; i++)
    riderStates.push(
      fold(
        { initialState: riderDecider.initialState(SHANGHAI), evolve: riderDecider.evolve },
        await read(riderStream(`r${i}`)),
      ),
    );
  const fund = fold(
    { initialState: fundDecider.initialState(), evolve: fundDecider.evolve },
    await read(fundStream('f1')),
  );
  const station = fold(
    { initialState: stationDecider.initialState(), evolve: stationDecider.evolve },
    await read(stationStream('s1')),
  );
  const sum = (f: (s: RiderState) => number) => riderStates.reduce((t, s) => t + f(s), 0);
  return {
    balances: riderStates.map((s) => s.balance),
    balance: sum((s) => s.balance),
    earned: sum((s) => s.earned),
    reversed: sum((s) => s.reversed),
    redeemed: sum((s) => s.redeemed),
    fundAwarded: fund.awardedPoints,
    fundReversed: fund.reversedPoints,
    fundRemaining: remainingPoints(fund),
    fundBudget: fund.budgetPoints,
    stock: station.items.get('water')?.stock ?? 0,
    /** Stock reservations not released: completed redemptions (and any a crash left open). */
    heldStockReservations: [...station.reservations.values()].filter((r) => !r.released).length,
  };
}
