import { openEmbeddedDatabase, START, type EventStore, type SqlClient } from '@ledger/event-store';
import { SHANGHAI } from '@ledger/testing';
import { ledgerProcess, seedLedger } from '@ledger/ledger/testing';
import { advanceCheckpoint, CheckpointMoved, readCheckpoints } from './checkpoints';
import { ProjectionLeases } from './leases';
import { PROJECTIONS } from './projections';
import { ReadModels } from './read-models';

/** Two "processes" (two ReadModels with their own runner) on one database. */
describe('projection leases', () => {
  let store: EventStore;
  let sql: SqlClient;
  const open = () =>
    ReadModels.open(store, sql, { schema: 'leased', timeZone: SHANGHAI, leaseMs: 600 });
  const until = async (check: () => Promise<boolean> | boolean, ms = 5000) => {
    const deadline = Date.now() + ms;
    while (!(await check())) {
      if (Date.now() > deadline) throw new Error('not within the time');
      await new Promise((r) => setTimeout(r, 20));
    }
  };

  beforeAll(async () => {
    ({ events: store, sql } = await openEmbeddedDatabase({ dataDir: 'memory://' }));
    await seedLedger(ledgerProcess(store), {
      riders: 3,
      budgetPoints: 1000,
      pricePoints: 5,
      stock: 5,
    });
  });
  afterAll(() => store.close());

  it('splits the projections between two processes, and one takes all when the other stops', async () => {
    const [a, b] = [await open(), await open()];
    await Promise.all([a.start(), b.start()]);
    const held = () => [a.runnerState().held.length, b.runnerState().held.length];
    const n = PROJECTIONS.length;
    await until(() => {
      const [x, y] = held();
      return x + y === n && Math.abs(x - y) <= 1;
    });
    const holders = await a.leaseHolders();
    expect(new Set(holders.map((h) => h.holder))).toEqual(
      new Set([a.runnerState().process, b.runnerState().process]),
    );
    await b.stop();
    await until(() => held()[0] === n);
    await a.waitForHead();
    await a.stop();
    // Stopped cleanly: every lease given back.
    expect((await a.leaseHolders()).every((h) => h.holder === null)).toBe(true);
  });

  it('lets a checkpoint move once from where a batch starts, and never for a lost lease', async () => {
    const models = await open();
    await models.catchUp();
    const [balances] = (await readCheckpoints(sql, 'leased')).filter(
      (c) => c.projection === 'balances',
    );
    const [last] = (await store.readAll({ after: START, limit: 1 })).events;
    const move = { from: balances.cursor, last, count: 1 };
    // Not where the batch starts: refused, nothing written.
    await expect(
      sql.transaction((q) => advanceCheckpoint(q, 'leased', 'balances', { ...move, from: START })),
    ).rejects.toBeInstanceOf(CheckpointMoved);
    // A lease taken over by another process: its old holder's batch is refused.
    const mine = new ProjectionLeases(sql, 'leased', 'mine', 600);
    const theirs = new ProjectionLeases(sql, 'leased', 'theirs', 600);
    const lease = await mine.acquire('balances');
    expect(lease).toBeDefined();
    expect(await theirs.acquire('balances')).toBeUndefined(); // held, not expired
    await new Promise((r) => setTimeout(r, 700));
    expect(await theirs.acquire('balances')).toMatchObject({ epoch: (lease?.epoch ?? 0) + 1 });
    expect(await mine.renew(lease!)).toBe(false);
    await expect(
      sql.transaction((q) =>
        advanceCheckpoint(q, 'leased', 'balances', { ...move, ...(lease && { lease }) }),
      ),
    ).rejects.toBeInstanceOf(CheckpointMoved);
    expect((await readCheckpoints(sql, 'leased')).find((c) => c.projection === 'balances')).toEqual(
      balances,
    );
  });
});
