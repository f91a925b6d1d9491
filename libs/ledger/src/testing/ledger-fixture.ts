import {
  fold,
  upcastLedgerEvent,
  fundDecider,
  remainingPoints,
  riderDecider,
  stationDecider,
  fundStream,
  fundBookStream,
  riderStream,
  stationStream,
  type ActivityRule,
  type Actor,
  type LedgerEvent,
  type RiderState,
} from '@ledger/domain';
import { openEmbeddedDatabase, streamEvents, type EventStore } from '@ledger/event-store';
import { VerifiedStarts } from '../audit/verified-start';
import { SHANGHAI } from '@ledger/testing/decider-spec';
import { randomUUID } from 'node:crypto';
import { AwardPointsCommand, AwardPointsHandler } from '../commands/award-points';
import { MakeRedemptionCommand, MakeRedemptionHandler } from '../commands/make-redemption';
import {
  CancelRedemptionCommand,
  CancelRedemptionHandler,
  ReverseAwardCommand,
  ReverseAwardHandler,
} from '../commands/corrections';
import type { EntryLocator } from '../commands/entry-locator';
import {
  StreamCommand,
  StreamCommandHandler,
  type CommandOf,
  type StreamKindName,
  type StreamTarget,
} from '../commands/stream-command';
import { FundBooks } from '../settlement/fund-books';
import { SettlementRecovery } from '../settlement/recovery';
import type { LedgerRequest } from '../write/ledger-request';
import { StreamWriter } from '../write/stream-writer';

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

/** The fixture has no read models: its callers name the rider of a reversal or cancellation. */
const NO_LOCATOR: EntryLocator = {
  find: () => Promise.reject(new Error('the ledger fixture has no read models: name the rider')),
};

/** The ledger's handlers over one store, as one process would hold them. */
export function ledgerProcess(store: EventStore) {
  const writer = new StreamWriter(store);
  const stream = new StreamCommandHandler(writer);
  const award = new AwardPointsHandler(writer);
  const reverse = new ReverseAwardHandler(writer, NO_LOCATOR);
  const redeem = new MakeRedemptionHandler(writer);
  const cancel = new CancelRedemptionHandler(writer, NO_LOCATOR);
  const recovery = new SettlementRecovery(store, writer, SHANGHAI);
  return {
    writer,
    stream,
    award,
    reverse,
    redeem,
    cancel,
    recovery,
    /** The closing run of funds' books at `at` (as the hourly job makes it). */
    closeFundBooks: (at: Date, fundIds: readonly string[] = ['f1']) =>
      FundBooks.of(writer).closeBefore(
        fundIds,
        { ...requestOf(), context: { ...requestOf().context, now: at } },
        (held) => recovery.settledAmong(held, at),
      ),
    run: <K extends StreamKindName>(target: StreamTarget<K>) =>
      stream.execute(new StreamCommand(target, requestOf())),
    awardPoints: (riderId: string, points: number, fundId = 'f1', key?: string) =>
      award.execute(
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
      reverse.execute(new ReverseAwardCommand({ riderId, entryId, reason: '误发' }, requestOf())),
    redeemItems: (riderId: string, quantity: number, stationId = 's1', key?: string) =>
      redeem.execute(
        new MakeRedemptionCommand(
          { riderId, stationId, items: [{ sku: 'water', quantity }] },
          requestOf(ADMIN, key),
        ),
      ),
    cancelRedemption: (riderId: string, redemptionId: string) =>
      cancel.execute(
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
  const { budgetPoints, pricePoints, stock } = options;
  const riders = Array.from({ length: options.riders }, (_, i) => `r${i}`);
  await must(p, {
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
  await must(p, { kind: 'rules', command: { type: 'SetRules', rules: FIXTURE_RULES } });
  await must(p, {
    kind: 'fund',
    id: 'f1',
    command: {
      type: 'CreateFund',
      fundId: 'f1',
      name: '小哥积分基金',
      district: '江津区',
      budgetPoints,
    },
  });
  for (const riderId of riders) {
    const registrationId = `seed-${riderId}`;
    await must(p, {
      kind: 'rider',
      id: riderId,
      command: {
        type: 'RegisterRider',
        riderId,
        communityId: 'c1',
        platform: '美团',
        occupation: 'food_delivery',
        registrationId,
      },
    });
  }
  await seedStation(p, pricePoints, stock);
}

async function seedStation(p: LedgerProcess, pricePoints: number, quantity: number): Promise<void> {
  const stationId = 's1';
  const station = (command: CommandOf<'station'>) =>
    must(p, { kind: 'station', id: stationId, command });
  await station({
    type: 'RegisterStation',
    stationId,
    name: '小哥驿站',
    district: '江津区',
    kind: 'station',
  });
  await station({
    type: 'PriceItem',
    stationId,
    sku: 'water',
    name: '矿泉水',
    kind: 'goods',
    pricePoints,
  });
  await station({ type: 'AddStock', stationId, sku: 'water', quantity });
}

async function must<K extends StreamKindName>(p: LedgerProcess, target: StreamTarget<K>) {
  const outcome = await p.run(target);
  if ('code' in outcome) throw new Error(`seed failed: ${outcome.code} ${outcome.detail}`);
}

/** Everything the invariants of product.md are about, folded straight from the store. */
export async function ledgerTotals(store: EventStore, riders: number) {
  const read = async <E extends LedgerEvent>(stream: string): Promise<E[]> => {
    const out: E[] = [];
    for await (const e of streamEvents(store, stream)) out.push(upcastLedgerEvent<E>(e));
    return out;
  };
  const riderStates: RiderState[] = [];
  for (let i = 0; i < riders; i++)
    riderStates.push(fold(riderDecider, await read(riderStream(`r${i}`)), SHANGHAI));
  // The fund's figures are its open book's: follow the closings from its first stream.
  let fund = fold(fundDecider, await read(fundStream('f1')), SHANGHAI);
  while (fund.closing !== undefined)
    fund = fold(fundDecider, await read(fundBookStream('f1', fund.closing.next)), SHANGHAI);
  const station = fold(stationDecider, await read(stationStream('s1')), SHANGHAI);
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

const testDatabases: { close(): Promise<void> }[] = [];

/**
 * Where verification runs start, in a database of their own (an in-memory PGlite); a suite that
 * uses it closes them all with `afterAll(closeTestDatabases)`.
 */
export async function verifiedStartsForTests(): Promise<VerifiedStarts> {
  const { sql } = await openEmbeddedDatabase({ dataDir: 'memory://' });
  testDatabases.push(sql);
  return VerifiedStarts.open(sql);
}

export async function closeTestDatabases(): Promise<void> {
  await Promise.all(testDatabases.splice(0).map((db) => db.close()));
}
