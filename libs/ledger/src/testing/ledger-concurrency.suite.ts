import type { EventStore } from '@ledger/event-store';
import { ledgerProcess, ledgerTotals, seedLedger, type LedgerProcess } from './ledger-fixture';

/** Requests are spread over this many writers, as over API processes: races reach the store. */
const PROCESSES = 4;
const PARALLEL = 50;

/**
 * The races of the product's quality brief against a real store: 50 requests at once, exactly the
 * allowed number succeed, the rest get the right error, and the invariants hold after.
 * Each adapter's spec runs this suite unchanged.
 */
export function describeLedgerConcurrency(
  adapter: string,
  openStore: () => Promise<{ store: EventStore; dispose(): Promise<void> }>,
): void {
  describe(`ledger under concurrency: ${adapter}`, () => {
    let store: EventStore;
    let dispose: () => Promise<void>;
    let processes: LedgerProcess[];

    beforeEach(async () => {
      ({ store, dispose } = await openStore());
      processes = Array.from({ length: PROCESSES }, () => ledgerProcess(store));
    });
    afterEach(() => dispose());

    const codes = (outcomes: readonly object[]): Record<string, number> => {
      const count: Record<string, number> = {};
      for (const o of outcomes) {
        const key = 'code' in o ? String(o.code) : 'ok';
        count[key] = (count[key] ?? 0) + 1;
      }
      return count;
    };

    it('50 redemptions against one balance: exactly the affordable ones succeed', async () => {
      await seedLedger(processes[0], {
        riders: 1,
        budgetPoints: 10_000,
        pricePoints: 10,
        stock: 1000,
      });
      expect(await processes[0].awardPoints('r0', 100)).toMatchObject({ balanceAfter: 100 });
      const outcomes = await Promise.all(
        Array.from({ length: PARALLEL }, (_, i) => processes[i % PROCESSES].redeemItems('r0', 1)),
      );
      expect(codes(outcomes)).toEqual({ ok: 10, INSUFFICIENT_BALANCE: 40 });
      const totals = await ledgerTotals(store, 1);
      expect(totals).toMatchObject({
        balance: 0,
        redeemed: 100,
        stock: 990,
        heldStockReservations: 10,
      });
      expect(totals.balance + totals.redeemed).toBe(totals.earned - totals.reversed);
    });

    it('50 awards against a nearly empty fund: never over budget', async () => {
      await seedLedger(processes[0], { riders: 5, budgetPoints: 105, pricePoints: 10, stock: 10 });
      const outcomes = await Promise.all(
        Array.from({ length: PARALLEL }, (_, i) =>
          processes[i % PROCESSES].awardPoints(`r${i % 5}`, 10),
        ),
      );
      expect(codes(outcomes)).toEqual({ ok: 10, FUND_EXHAUSTED: 40 });
      const totals = await ledgerTotals(store, 5);
      expect(totals).toMatchObject({ earned: 100, fundAwarded: 100, fundRemaining: 5 });
      expect(totals.balances.every((b) => b >= 0)).toBe(true);
    });

    it('50 redemptions of the last 3 items: 3 succeed, stock never negative', async () => {
      await seedLedger(processes[0], {
        riders: PARALLEL,
        budgetPoints: 100_000,
        pricePoints: 10,
        stock: 3,
      });
      for (let i = 0; i < PARALLEL; i++) await processes[0].awardPoints(`r${i}`, 10);
      const outcomes = await Promise.all(
        Array.from({ length: PARALLEL }, (_, i) =>
          processes[i % PROCESSES].redeemItems(`r${i}`, 1),
        ),
      );
      expect(codes(outcomes)).toEqual({ ok: 3, OUT_OF_STOCK: 47 });
      const totals = await ledgerTotals(store, PARALLEL);
      expect(totals).toMatchObject({ stock: 0, redeemed: 30, balance: PARALLEL * 10 - 30 });
    });

    it('20 retries of one award with one idempotency key change the ledger once', async () => {
      await seedLedger(processes[0], { riders: 1, budgetPoints: 1000, pricePoints: 10, stock: 10 });
      const outcomes = await Promise.all(
        Array.from({ length: 20 }, (_, i) =>
          processes[i % PROCESSES].awardPoints('r0', 10, 'f1', 'tap-1'),
        ),
      );
      expect(codes(outcomes)).toEqual({ ok: 20 });
      expect(new Set(outcomes.map((o) => ('entryId' in o ? o.entryId : '')))).toHaveProperty(
        'size',
        1,
      );
      expect(await ledgerTotals(store, 1)).toMatchObject({ balance: 10, fundAwarded: 10 });
    });

    it('20 retries of one redemption with one idempotency key take points and stock once', async () => {
      await seedLedger(processes[0], { riders: 1, budgetPoints: 1000, pricePoints: 10, stock: 10 });
      await processes[0].awardPoints('r0', 100);
      const outcomes = await Promise.all(
        Array.from({ length: 20 }, (_, i) =>
          processes[i % PROCESSES].redeemItems('r0', 1, 's1', 'till-1'),
        ),
      );
      expect(codes(outcomes)).toEqual({ ok: 20 });
      const ids = outcomes.map((o) => ('redemptionId' in o ? o.redemptionId : ''));
      expect(new Set(ids)).toHaveProperty('size', 1);
      expect(await ledgerTotals(store, 1)).toMatchObject({
        balance: 90,
        redeemed: 10,
        stock: 9,
        heldStockReservations: 1,
      });
    });
  });
}
