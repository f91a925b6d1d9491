import { fundStream, riderStream, stationStream, upcastLedgerEvent } from '@ledger/domain';
import { InMemoryEventStore } from '@ledger/testing';
import { ledgerProcess, ledgerTotals, seedLedger, type LedgerProcess } from '../testing';

async function typesOf(store: InMemoryEventStore, stream: string): Promise<string[]> {
  return (await store.readStream(stream)).map((e) => upcastLedgerEvent(e).type);
}

/**
 * Holds `p`'s next step on the rider's stream until `release` is called; `reached` resolves when
 * the step is waiting (the act's hold is made by then).
 */
function pauseOnRider(p: LedgerProcess, riderId: string) {
  let release!: () => void;
  let reach!: () => void;
  const gate = new Promise<void>((resolve) => (release = resolve));
  const reached = new Promise<void>((resolve) => (reach = resolve));
  const execute = p.writer.execute.bind(p.writer);
  jest.spyOn(p.writer, 'execute').mockImplementation(async (decider, stream, command, request) => {
    if (stream === riderStream(riderId)) {
      reach();
      await gate;
    }
    return execute(decider, stream, command, request);
  });
  return { reached, release };
}

/**
 * Two retries of one act with one idempotency key, in two processes: the first makes the hold,
 * then stalls; the second finds that hold and applies the act on the rider first. The first then
 * meets the act already applied: its hold is the one the act stands on, and stays.
 */
describe('an act whose hold a racing retry applied first', () => {
  async function twoProcesses() {
    const store = new InMemoryEventStore();
    const first = ledgerProcess(store);
    const second = ledgerProcess(store);
    await seedLedger(first, { riders: 1, budgetPoints: 1000, pricePoints: 10, stock: 5 });
    return { store, first, second };
  }

  it('an award keeps its reservation', async () => {
    const { store, first, second } = await twoProcesses();
    const paused = pauseOnRider(first, 'r0');
    const original = first.awardPoints('r0', 30, 'f1', 'tap-1');
    await paused.reached;
    const retry = await second.awardPoints('r0', 30, 'f1', 'tap-1');
    paused.release();
    const answered = await original;
    expect(answered).toMatchObject({ points: 30, balanceAfter: 30 });
    expect(retry).toMatchObject({ points: 30, balanceAfter: 30 });
    expect('entryId' in answered && answered.entryId).toBe('entryId' in retry && retry.entryId);
    expect(await typesOf(store, fundStream('f1'))).not.toContain('FundReservationReleased');
    expect(await ledgerTotals(store, 1)).toMatchObject({ earned: 30, fundAwarded: 30 });
    // A third retry answers as the first two.
    expect(await second.awardPoints('r0', 30, 'f1', 'tap-1')).toMatchObject({ points: 30 });
  });

  it('a redemption keeps its stock', async () => {
    const { store, first, second } = await twoProcesses();
    await first.awardPoints('r0', 30);
    const paused = pauseOnRider(first, 'r0');
    const original = first.redeemItems('r0', 1, 's1', 'till-1');
    await paused.reached;
    const retry = await second.redeemItems('r0', 1, 's1', 'till-1');
    paused.release();
    expect(await original).toMatchObject({ points: 10, balanceAfter: 20 });
    expect(retry).toMatchObject({ points: 10, balanceAfter: 20 });
    expect(await typesOf(store, stationStream('s1'))).not.toContain('StockReservationReleased');
    expect(await ledgerTotals(store, 1)).toMatchObject({
      balance: 20,
      redeemed: 10,
      stock: 4,
      heldStockReservations: 1,
    });
    expect(await second.redeemItems('r0', 1, 's1', 'till-1')).toMatchObject({ points: 10 });
  });
});
