import fc from 'fast-check';
import { InMemoryEventStore } from '@ledger/testing';
import {
  FIXTURE_NOW,
  ledgerProcess,
  ledgerTotals,
  seedLedger,
  type LedgerProcess,
} from '../testing';

const RIDERS = 3;
const INITIAL_STOCK = 20;

type Op =
  | { op: 'award'; rider: number; points: number }
  | { op: 'reverse'; rider: number; pick: number }
  | { op: 'redeem'; rider: number; quantity: number }
  | { op: 'cancel'; rider: number; pick: number }
  | { op: 'topUp'; points: number }
  | { op: 'restock'; quantity: number }
  /** The next day's closing run: the fund's book closes into a new one. */
  | { op: 'close' };

const rider = fc.integer({ min: 0, max: RIDERS - 1 });
const op: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ op: fc.constant('award' as const), rider, points: fc.integer({ min: 1, max: 80 }) }),
  fc.record({ op: fc.constant('reverse' as const), rider, pick: fc.nat() }),
  fc.record({
    op: fc.constant('redeem' as const),
    rider,
    quantity: fc.integer({ min: 1, max: 4 }),
  }),
  fc.record({ op: fc.constant('cancel' as const), rider, pick: fc.nat() }),
  fc.record({ op: fc.constant('topUp' as const), points: fc.integer({ min: 1, max: 100 }) }),
  fc.record({ op: fc.constant('restock' as const), quantity: fc.integer({ min: 1, max: 5 }) }),
  fc.record({ op: fc.constant('close' as const) }),
);
const DAY_MS = 24 * 60 * 60 * 1000;

/** Runs one generated step through the real handlers; refusals are fine, they must write nothing. */
async function step(
  p: LedgerProcess,
  o: Op,
  made: { awards: string[][]; redemptions: string[][] },
  stocked: { total: number; days: number },
) {
  switch (o.op) {
    case 'close': {
      stocked.days++;
      const closed = await p.closeFundBooks(
        new Date(FIXTURE_NOW.getTime() + stocked.days * DAY_MS),
      );
      expect(closed.closed).toBe(1);
      break;
    }
    case 'award': {
      const r = await p.awardPoints(`r${o.rider}`, o.points);
      if (!('code' in r)) made.awards[o.rider].push(r.entryId);
      break;
    }
    case 'reverse': {
      const list = made.awards[o.rider];
      if (list.length > 0) await p.reverseAward(`r${o.rider}`, list[o.pick % list.length]);
      break;
    }
    case 'redeem': {
      const r = await p.redeemItems(`r${o.rider}`, o.quantity);
      if (!('code' in r)) made.redemptions[o.rider].push(r.redemptionId);
      break;
    }
    case 'cancel': {
      const list = made.redemptions[o.rider];
      if (list.length > 0) await p.cancelRedemption(`r${o.rider}`, list[o.pick % list.length]);
      break;
    }
    case 'topUp':
      await p.run({
        kind: 'fund',
        id: 'f1',
        command: { type: 'TopUpFund', fundId: 'f1', points: o.points, reason: '追加' },
      });
      break;
    case 'restock': {
      const r = await p.run({
        kind: 'station',
        id: 's1',
        command: { type: 'AddStock', stationId: 's1', sku: 'water', quantity: o.quantity },
      });
      if (!('code' in r)) stocked.total += o.quantity;
      break;
    }
  }
}

/** Runs `ops` on a fresh ledger; `closing` false skips the closing runs. */
async function runOps(ops: Op[], closing: boolean) {
  const store = new InMemoryEventStore();
  const p = ledgerProcess(store);
  await seedLedger(p, { riders: RIDERS, budgetPoints: 200, pricePoints: 7, stock: INITIAL_STOCK });
  const made = { awards: [[], [], []] as string[][], redemptions: [[], [], []] as string[][] };
  const stocked = { total: INITIAL_STOCK, days: 0 };
  for (const o of ops) if (closing || o.op !== 'close') await step(p, o, made, stocked);
  return { totals: await ledgerTotals(store, RIDERS), stocked, store };
}

describe('ledger invariants under random command sequences (fast-check)', () => {
  it("keep balances ≥ 0, funds within budget, stock ≥ 0, and balances + redeemed = awarded − reversed, through closings of the fund's books", async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(op, { minLength: 1, maxLength: 40 }), async (ops) => {
        const { totals: t, stocked } = await runOps(ops, true);
        expect(t.balances.every((b) => b >= 0)).toBe(true);
        expect(t.fundRemaining).toBeGreaterThanOrEqual(0);
        expect(t.fundAwarded).toBeLessThanOrEqual(t.fundBudget + t.fundReversed);
        expect(t.balance + t.redeemed).toBe(t.earned - t.reversed);
        // Every point in circulation came from the fund, and every reversed point went back.
        expect(t.fundAwarded).toBe(t.earned);
        expect(t.fundReversed).toBe(t.reversed);
        expect(t.stock).toBeGreaterThanOrEqual(0);
        expect(t.stock + t.redeemed / 7).toBe(stocked.total);
      }),
      { numRuns: 60 },
    );
  });

  it('closing books changes no figure: balances, fund and stock equal those of the same acts without closings', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(op, { minLength: 1, maxLength: 40 }), async (ops) => {
        const closed = await runOps(ops, true);
        const unclosed = await runOps(ops, false);
        expect(closed.totals).toEqual(unclosed.totals);
      }),
      { numRuns: 40 },
    );
  });
});
