import { StoreUnavailable } from '@ledger/event-store';
import { InMemoryEventStore, SHANGHAI } from '@ledger/testing';
import { ledgerProcess, ledgerTotals, requestOf, seedLedger } from '../testing';
import { AwardPointsCommand } from '../commands/award-points';
import { InMemoryRecoveryProgress } from './recovery-progress';
import { SettlementRecovery } from './recovery';

/**
 * A process killed between the two appends of a cross-stream act: simulated by a store that
 * fails the second append (the first is committed). A fresh process then runs recovery.
 */
const rescueCommand = (points: number) =>
  new AwardPointsCommand(
    {
      riderId: 'r0',
      activity: 'rescue',
      fundId: 'f1',
      reason: '救人',
      occurredAt: '2026-06-14T13:00:00Z',
      points,
    },
    requestOf(),
  );

describe('settlement recovery after a crash between the two appends', () => {
  /** A new process on the same store: the dead one's failures are gone. */
  function restarted(store: InMemoryEventStore) {
    store.beforeAppend = undefined;
    return ledgerProcess(store);
  }

  async function crashedLedger(crashOn: string) {
    const store = new InMemoryEventStore();
    const first = ledgerProcess(store);
    await seedLedger(first, { riders: 2, budgetPoints: 1000, pricePoints: 10, stock: 5 });
    return {
      store,
      first,
      /** From now on appends to matching streams fail, as if the process died there. */
      crashNextAppendTo(prefix: string) {
        store.beforeAppend = (stream) => {
          if (stream.startsWith(prefix))
            throw new StoreUnavailable(`killed before appending to ${stream}`);
        };
      },
      crashOn,
    };
  }

  it('completes an award whose fund reservation was written but not the rider credit', async () => {
    const { store, first, crashNextAppendTo } = await crashedLedger('rider-');
    crashNextAppendTo('rider-r0');
    await expect(first.awardPoints('r0', 30)).rejects.toBeInstanceOf(StoreUnavailable);
    expect(await ledgerTotals(store, 2)).toMatchObject({ earned: 0, fundAwarded: 30 }); // half done

    const report = await restarted(store).recovery.run(new Date(Date.now() + 60_000));
    expect(report).toMatchObject({ awardsCompleted: 1, awardsReleased: 0 });
    expect(await ledgerTotals(store, 2)).toMatchObject({
      earned: 30,
      balance: 30,
      fundAwarded: 30,
    });
    const again = await restarted(store).recovery.run(new Date(Date.now() + 60_000));
    expect(again).toMatchObject({ awardsCompleted: 0, awardsReleased: 0 });
  });

  it('answers the client retry (same key) with the award recovery completed, once', async () => {
    const { store, first, crashNextAppendTo } = await crashedLedger('rider-');
    crashNextAppendTo('rider-r0');
    await expect(first.awardPoints('r0', 30, 'f1', 'key-1')).rejects.toBeInstanceOf(
      StoreUnavailable,
    );
    const retried = await restarted(store).awardPoints('r0', 30, 'f1', 'key-1');
    expect(retried).toMatchObject({ points: 30, balanceAfter: 30 });
    await restarted(store).recovery.run(new Date(Date.now() + 60_000));
    expect(await ledgerTotals(store, 2)).toMatchObject({ earned: 30, fundAwarded: 30 });
  });

  it('releases a reservation whose rider refuses by the time recovery runs', async () => {
    const { store, first, crashNextAppendTo } = await crashedLedger('rider-');
    // rescue has a daily cap of 100: reserve 100, crash, then the cap is used up meanwhile.
    crashNextAppendTo('rider-r0');
    const p = ledgerProcess(store);
    const rescue = (points: number) => p.award.execute(rescueCommand(points));
    void first;
    await expect(rescue(100)).rejects.toBeInstanceOf(StoreUnavailable);
    store.beforeAppend = undefined;
    expect(await ledgerProcess(store).award.execute(rescueCommand(100))).toMatchObject({
      points: 100,
    });
    const report = await restarted(store).recovery.run(new Date(Date.now() + 60_000));
    expect(report).toMatchObject({ awardsCompleted: 0, awardsReleased: 1 });
    expect(await ledgerTotals(store, 2)).toMatchObject({ earned: 100, fundAwarded: 100 });
  });

  it('completes or undoes a redemption whose stock was reserved but the rider not debited', async () => {
    const { store, first, crashNextAppendTo } = await crashedLedger('rider-');
    await first.awardPoints('r0', 20);
    crashNextAppendTo('rider-r0');
    await expect(first.redeemItems('r0', 2)).rejects.toBeInstanceOf(StoreUnavailable);
    expect(await ledgerTotals(store, 2)).toMatchObject({ stock: 3, redeemed: 0 });
    const report = await restarted(store).recovery.run(new Date(Date.now() + 60_000));
    expect(report).toMatchObject({ redemptionsCompleted: 1 });
    expect(await ledgerTotals(store, 2)).toMatchObject({ stock: 3, redeemed: 20, balance: 0 });
  });

  it('returns to the fund the points of a reversal whose fund append was lost', async () => {
    const { store, first, crashNextAppendTo } = await crashedLedger('fund-');
    const award = await first.awardPoints('r0', 40);
    if ('code' in award) throw new Error(award.detail);
    crashNextAppendTo('fund-f1');
    await expect(first.reverseAward('r0', award.entryId)).rejects.toBeInstanceOf(StoreUnavailable);
    expect(await ledgerTotals(store, 2)).toMatchObject({ reversed: 40, fundReversed: 0 });
    expect(await restarted(store).recovery.run(new Date(Date.now() + 60_000))).toMatchObject({
      fundReturns: 1,
    });
    expect(await ledgerTotals(store, 2)).toMatchObject({
      reversed: 40,
      fundReversed: 40,
      fundRemaining: 1000,
    });
  });

  it('puts back the stock of a cancellation whose station append was lost', async () => {
    const { store, first, crashNextAppendTo } = await crashedLedger('station-');
    await first.awardPoints('r0', 20);
    const redemption = await first.redeemItems('r0', 1);
    if ('code' in redemption) throw new Error(redemption.detail);
    crashNextAppendTo('station-s1');
    await expect(first.cancelRedemption('r0', redemption.redemptionId)).rejects.toBeInstanceOf(
      StoreUnavailable,
    );
    expect(await ledgerTotals(store, 2)).toMatchObject({ stock: 4, redeemed: 0 });
    expect(await restarted(store).recovery.run(new Date(Date.now() + 60_000))).toMatchObject({
      stockReturns: 1,
    });
    expect(await ledgerTotals(store, 2)).toMatchObject({ stock: 5, balance: 20 });
  });

  it('leaves acts younger than the grace period to the process that is finishing them', async () => {
    const { store, first, crashNextAppendTo } = await crashedLedger('rider-');
    crashNextAppendTo('rider-r0');
    await expect(first.awardPoints('r0', 30)).rejects.toBeInstanceOf(StoreUnavailable);
    expect(await restarted(store).recovery.run(new Date())).toMatchObject({
      awardsCompleted: 0,
    });
  });

  it('finishes what an outage left half done as soon as the store is back, without the grace period', async () => {
    const { store, first, crashNextAppendTo } = await crashedLedger('rider-');
    await first.awardPoints('r0', 20);
    // The process's own recovery hears of appends whose outcome the outage left unknown.
    first.writer.onUnknownOutcome((at) => first.recovery.finishAfterOutage(at));
    crashNextAppendTo('rider-r0');
    await expect(first.awardPoints('r0', 30)).rejects.toBeInstanceOf(StoreUnavailable);
    await expect(first.redeemItems('r0', 1)).rejects.toBeInstanceOf(StoreUnavailable);
    await new Promise((r) => setTimeout(r, 1500)); // still down: retried, nothing changes
    expect(await ledgerTotals(store, 2)).toMatchObject({ earned: 20, fundAwarded: 50, stock: 4 });

    store.beforeAppend = undefined; // the store is back
    const deadline = Date.now() + 10_000;
    let totals = await ledgerTotals(store, 2);
    while (totals.earned !== 50 && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 100));
      totals = await ledgerTotals(store, 2);
    }
    expect(totals).toMatchObject({ earned: 50, fundAwarded: 50, stock: 4, redeemed: 10 });
    await first.recovery.stop();
  });

  describe('saved progress (a process that starts reads only what is new)', () => {
    const recoveryOf = (store: InMemoryEventStore, progress: InMemoryRecoveryProgress) =>
      new SettlementRecovery(store, restarted(store).writer, SHANGHAI, progress);

    it('takes up where the last run stopped, and still finishes an act that was open there', async () => {
      const { store, first, crashNextAppendTo } = await crashedLedger('rider-');
      crashNextAppendTo('rider-r0');
      await expect(first.awardPoints('r0', 30)).rejects.toBeInstanceOf(StoreUnavailable);
      const progress = new InMemoryRecoveryProgress();

      // A process starts while the act is young (it may be finishing elsewhere): read, left open.
      const early = await recoveryOf(store, progress).run(new Date());
      expect(early).toMatchObject({ awardsCompleted: 0 });
      expect(early.eventsScanned).toBeGreaterThan(5);
      expect(progress.saves).toBe(1);

      // The next process reads nothing old, and finishes the act from the saved open acts.
      const later = await recoveryOf(store, progress).run(new Date(Date.now() + 60_000));
      expect(later).toMatchObject({ eventsScanned: 0, awardsCompleted: 1 });
      expect(await ledgerTotals(store, 2)).toMatchObject({ earned: 30, fundAwarded: 30 });

      // And the one after reads only the completion, and finds nothing left to do.
      const after = await recoveryOf(store, progress).run(new Date(Date.now() + 60_000));
      expect(after.eventsScanned).toBeGreaterThan(0);
      expect(after.eventsScanned).toBeLessThan(5);
      expect(after).toMatchObject({ awardsCompleted: 0, awardsReleased: 0 });
    });

    it('ignores progress saved on another log (a log shorter than the saved point) and reads it all', async () => {
      const big = await crashedLedger('rider-');
      for (let i = 0; i < 5; i++) await big.first.awardPoints('r0', 10);
      const progress = new InMemoryRecoveryProgress();
      await recoveryOf(big.store, progress).run(new Date());

      const small = await crashedLedger('rider-');
      small.crashNextAppendTo('rider-r0');
      await expect(small.first.awardPoints('r0', 30)).rejects.toBeInstanceOf(StoreUnavailable);
      const logLength = (await small.store.readAll({ limit: 1000 })).events.length;
      const report = await recoveryOf(small.store, progress).run(new Date(Date.now() + 60_000));
      expect(report.eventsScanned).toBe(logLength);
      expect(report).toMatchObject({ awardsCompleted: 1 });
    });
  });
});
