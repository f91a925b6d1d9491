import { InMemoryEventStore } from '@ledger/testing';
import { ledgerProcess, seedLedger, verifiedStartsForTests, closeTestDatabases } from '../testing';
import { verifyLog } from '../audit/verify';
import { VerifyLogHandler, VerifyLogQuery } from './audit.queries';

describe('verifying the log', () => {
  afterAll(closeTestDatabases);
  it('lets callers that ask during a verification share it: four at once read the log once', async () => {
    const store = new InMemoryEventStore();
    const p = ledgerProcess(store);
    await seedLedger(p, { riders: 30, budgetPoints: 100_000, pricePoints: 10, stock: 5 });
    for (let i = 0; i < 30; i++) await p.awardPoints(`r${i}`, 10);
    const reads = jest.spyOn(store, 'readAll');
    const handler = new VerifyLogHandler(store, await verifiedStartsForTests());

    const alone = await handler.execute(new VerifyLogQuery());
    const readsOfOneRun = reads.mock.calls.length;
    expect(alone).toMatchObject({ ok: true });
    expect(readsOfOneRun).toBeGreaterThan(0);

    reads.mockClear();
    const progress: number[][] = [[], []];
    const together = await Promise.all([
      handler.execute(new VerifyLogQuery((checked) => progress[0].push(checked))),
      handler.execute(new VerifyLogQuery((checked) => progress[1].push(checked))),
      handler.execute(new VerifyLogQuery()),
      handler.execute(new VerifyLogQuery()),
    ]);
    expect(reads.mock.calls.length).toBe(readsOfOneRun);
    expect(together).toEqual([alone, alone, alone, alone]);
    // Each caller that asked for progress hears the run through to the end.
    expect(progress[0].at(-1)).toBe(alone.eventsChecked);
    expect(progress[1].at(-1)).toBe(alone.eventsChecked);

    // Once done, the next caller starts a new run.
    reads.mockClear();
    await handler.execute(new VerifyLogQuery());
    expect(reads.mock.calls.length).toBe(readsOfOneRun);
  });

  it('lets other work in between pages, so /health and reads never wait behind it', async () => {
    const store = new InMemoryEventStore();
    const p = ledgerProcess(store);
    await seedLedger(p, { riders: 40, budgetPoints: 1_000_000, pricePoints: 10, stock: 5 });
    for (let round = 0; round < 25; round++)
      for (let i = 0; i < 40; i++) await p.awardPoints(`r${i}`, 1);
    let turns = 0;
    let verifying = true;
    const count = () => {
      turns++;
      if (verifying) setImmediate(count);
    };
    setImmediate(count);
    const verified = await verifyLog(store);
    verifying = false;
    const pages = Math.ceil(verified.eventsChecked / 1000);
    expect(pages).toBeGreaterThan(2);
    // The event loop turned at least once per page: a request arriving mid-run is served then.
    expect(turns).toBeGreaterThanOrEqual(pages);
  });
});
