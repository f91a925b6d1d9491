import { openEmbeddedDatabase, type EventStore, type SqlClient } from '@ledger/event-store';
import { SHANGHAI } from '@ledger/testing';
import { ledgerProcess, seedLedger, type LedgerProcess } from '@ledger/ledger/testing';
import { AwardPointsCommand } from '@ledger/ledger';
import { requestOf } from '@ledger/ledger/testing';
import { balanceOf } from './balances/balances.queries';
import { balancesProjection } from './balances/balances.projection';
import { fundOf } from './funds/funds.queries';
import { leaderboardPage } from './leaderboards/leaderboards.queries';
import { ledgerPage } from './ledger-lines/ledger-lines.queries';
import { PROJECTION_NAMES, PROJECTIONS } from './projections';
import { perEvent, type Projection } from './projection';
import { ReadModels } from './read-models';
import { stockOf } from './stations/stations.queries';
import { rebuildAndCompare } from './rebuild';

/** Given events (made by the real handlers), when the projections catch up, then these rows. */
describe('read models on the embedded store', () => {
  let store: EventStore;
  let sql: SqlClient;
  let p: LedgerProcess;
  let models: ReadModels;

  beforeAll(async () => {
    ({ events: store, sql } = await openEmbeddedDatabase({ dataDir: 'memory://' }));
    p = ledgerProcess(store);
    await seedLedger(p, { riders: 4, budgetPoints: 10_000, pricePoints: 5, stock: 10 });
    const must = async (...bodies: Parameters<LedgerProcess['run']>[0][]) => {
      for (const body of bodies) {
        const outcome = await p.run(body);
        if ('code' in outcome) throw new Error(outcome.detail);
      }
    };
    await must(
      {
        kind: 'community',
        id: 'c2',
        command: {
          type: 'RegisterCommunity',
          communityId: 'c2',
          name: '鼎山',
          street: '鼎山街道',
          district: '江津区',
        },
      },
      {
        kind: 'community',
        id: 'c3',
        command: {
          type: 'RegisterCommunity',
          communityId: 'c3',
          name: '德感',
          street: '德感街道',
          district: '江津区',
        },
      },
    );
    models = await ReadModels.open(store, sql, { schema: 'read', timeZone: SHANGHAI });
  });
  afterAll(() => store.close());

  const award = async (riderId: string, points: number, occurredAt: string) => {
    const outcome = await p.award.execute(
      new AwardPointsCommand(
        { riderId, activity: 'patrol', fundId: 'f1', reason: '巡逻', occurredAt, points },
        requestOf(),
      ),
    );
    if ('code' in outcome) throw new Error(outcome.detail);
    return outcome;
  };

  it('keeps balances, ledger lines, fund usage and stock', async () => {
    const a1 = await award('r0', 30, '2026-06-14T13:00:00Z');
    await award('r0', 20, '2026-06-14T14:00:00Z');
    const redemption = await p.redeemItems('r0', 2);
    if ('code' in redemption) throw new Error(redemption.detail);
    await p.cancelRedemption('r0', redemption.redemptionId);
    await p.redeemItems('r0', 1);
    await p.reverseAward('r0', a1.entryId);
    await models.catchUp();

    const head = await store.headCursor();
    expect(await balanceOf(models, 'r0')).toEqual({
      riderId: 'r0',
      balance: 15,
      earned: 50,
      redeemed: 5,
      reversed: 30,
      position: store.positionOf(head), // the read model is caught up to the head
    });
    const ledger = await ledgerPage(models, 'r0', { limit: 100 });
    expect(ledger.items.map((l) => [l.type, l.points, l.balanceAfter])).toEqual([
      ['award', 30, 30],
      ['award', 20, 50],
      ['redemption', -10, 40],
      ['cancellation', 10, 50],
      ['redemption', -5, 45],
      ['reversal', -30, 15],
    ]);
    expect(ledger.items[0]).toMatchObject({
      activity: 'patrol',
      reason: '巡逻',
      actor: 'admin',
      occurredAt: '2026-06-14T13:00:00.000Z',
    });
    const page = await ledgerPage(models, 'r0', { limit: 4 });
    expect(page.items).toHaveLength(4);
    const rest = await ledgerPage(models, 'r0', { limit: 4, cursor: page.nextCursor ?? undefined });
    expect(rest.items.map((l) => l.type)).toEqual(['redemption', 'reversal']);
    expect(rest.nextCursor).toBeNull();
    expect(await fundOf(models, 'f1')).toMatchObject({
      budgetPoints: 10_000,
      awardedPoints: 50,
      reversedPoints: 30,
      remainingPoints: 9_980,
    });
    expect(await stockOf(models, 's1')).toEqual([
      { sku: 'water', name: '矿泉水', kind: 'goods', pricePoints: 5, stock: 9 },
    ]);
  });

  it('ranks by points, then by who reached the total first, then rider id; periods by Shanghai days', async () => {
    // r1 and r2 end on equal points; r2 got there first. 2026-05-31T16:00Z is 1 June in Shanghai.
    await award('r2', 40, '2026-05-31T15:59:59Z');
    await award('r1', 40, '2026-05-31T16:00:00Z');
    await models.catchUp();
    const may = await leaderboardPage(models, 'community:c1', '2026-05', { limit: 10 });
    const june = await leaderboardPage(models, 'community:c1', '2026-06', { limit: 10 });
    expect(may.items).toEqual([{ rank: 1, riderId: 'r2', points: 40 }]);
    expect(june.items.map((r) => r.riderId)).toEqual(['r1', 'r0']);
    const all = await leaderboardPage(models, 'district:江津区', 'all', { limit: 2 });
    expect(all.items).toEqual([
      { rank: 1, riderId: 'r2', points: 40 },
      { rank: 2, riderId: 'r1', points: 40 },
    ]);
    const next = await leaderboardPage(models, 'district:江津区', 'all', {
      limit: 2,
      cursor: all.nextCursor ?? undefined,
    });
    expect(next.items).toEqual([{ rank: 3, riderId: 'r0', points: 20 }]);
  });

  it('leaves points with the community they were earned in, also when reversed after a transfer', async () => {
    const earned = await award('r3', 25, '2026-06-10T02:00:00Z');
    await p.run({
      kind: 'rider',
      id: 'r3',
      command: { type: 'TransferRider', riderId: 'r3', communityId: 'c2' },
    });
    await award('r3', 10, '2026-06-11T02:00:00Z');
    await models.catchUp();
    expect(
      (await leaderboardPage(models, 'community:c1', 'all', { limit: 10 })).items,
    ).toContainEqual(expect.objectContaining({ riderId: 'r3', points: 25 }));
    expect((await leaderboardPage(models, 'street:鼎山街道', 'all', { limit: 10 })).items).toEqual([
      { rank: 1, riderId: 'r3', points: 10 },
    ]);
    await p.reverseAward('r3', earned.entryId);
    await models.catchUp();
    const c1 = (await leaderboardPage(models, 'community:c1', 'all', { limit: 10 })).items;
    expect(c1.find((r) => r.riderId === 'r3')).toBeUndefined();
    expect(
      (await leaderboardPage(models, 'community:c2', '2026-W24', { limit: 10 })).items,
    ).toEqual([{ rank: 1, riderId: 'r3', points: 10 }]);
  });

  it('a rebuild from position 0 equals the live read models row by row, and finds a row changed by hand', async () => {
    const clean = await rebuildAndCompare(models, store, sql, { timeZone: SHANGHAI });
    expect(clean.differences).toEqual([]);
    expect(clean.rowsCompared).toBeGreaterThan(30);
    expect(clean.tablesCompared).toBe(PROJECTIONS.flatMap((x) => x.tables).length);
    await sql.query(`update read.balances set balance = balance + 1 where rider_id = 'r0'`);
    const tampered = await rebuildAndCompare(models, store, sql, { timeZone: SHANGHAI });
    expect(tampered.differences).toEqual([
      expect.objectContaining({
        table: 'balances',
        live: expect.objectContaining({ rider_id: 'r0', balance: 16 }) as unknown,
        rebuilt: expect.objectContaining({ balance: 15 }) as unknown,
      }),
    ]);
    await sql.query(`update read.balances set balance = balance - 1 where rider_id = 'r0'`);
  });

  it('resumes a projection killed mid-batch from its checkpoint without counting twice', async () => {
    const fresh = await ReadModels.open(store, sql, {
      schema: 'read_crash',
      timeZone: SHANGHAI,
      projections: [
        { ...balancesProjection, applyBatch: crashingOnce(balancesProjection.applyBatch, 1) },
      ],
    });
    await expect(fresh.catchUp()).rejects.toThrow('killed');
    const survivor = await ReadModels.open(store, sql, {
      schema: 'read_crash',
      timeZone: SHANGHAI,
      projections: [balancesProjection],
    });
    await survivor.catchUp();
    const { rows } = await sql.query<{ rider_id: string; balance: number }>(
      'select rider_id, balance from read_crash.balances order by rider_id',
    );
    const { rows: live } = await sql.query<{ rider_id: string; balance: number }>(
      'select rider_id, balance from read.balances order by rider_id',
    );
    expect(rows).toEqual(live);
  });

  it('catches up side by side: one projection dying leaves the others theirs, and a rerun ends as live', async () => {
    const all = PROJECTIONS.map((projection) =>
      projection.name === 'ledger-lines'
        ? { ...projection, applyBatch: crashingOnce(projection.applyBatch, 2) }
        : projection,
    );
    const lanes = await ReadModels.open(store, sql, {
      schema: 'read_lanes',
      timeZone: SHANGHAI,
      projections: all,
    });
    await expect(lanes.catchUp({ batch: 3 })).rejects.toThrow('killed');
    const stopped = await lanes.checkpoints();
    const dead = stopped.find((c) => c.projection === 'ledger-lines')?.events ?? -1;
    // The others applied the page it died on (and it did not: its transaction rolled back).
    expect(Math.min(...stopped.map((c) => c.events))).toBe(dead);
    expect(Math.max(...stopped.map((c) => c.events))).toBe(dead + 3);
    const rerun = await ReadModels.open(store, sql, { schema: 'read_lanes', timeZone: SHANGHAI });
    await rerun.catchUp({ batch: 3, deferred: true });
    await models.catchUp();
    for (const table of PROJECTIONS.flatMap((p) => p.tables)) {
      const order = `order by ${table.orderBy}`;
      const { rows } = await sql.query(`select * from read_lanes.${table.name} ${order}`);
      const { rows: live } = await sql.query(`select * from read.${table.name} ${order}`);
      expect({ table: table.name, rows }).toEqual({ table: table.name, rows: live });
    }
  });

  it('runs live: a write is readable once waitFor(position) resolves', async () => {
    await models.start();
    try {
      const a = await award('r1', 5, '2026-06-14T10:00:00Z');
      await models.waitFor(a.position);
      expect(await balanceOf(models, 'r1')).toMatchObject({ earned: 45 });
      await expect(models.waitFor(a.position + 1_000_000, 50)).rejects.toMatchObject({
        code: 'PROJECTION_LAGGING',
      });
      // a write this process acknowledged is waited for even without a position
      const b = await award('r1', 7, '2026-06-14T11:00:00Z');
      models.noteWritten(b.position);
      await models.waitFor();
      expect(await balanceOf(models, 'r1')).toMatchObject({ earned: 52 });
      models.noteWritten(b.position + 1_000_000);
      await expect(models.waitFor(undefined, 50)).rejects.toMatchObject({
        code: 'PROJECTION_LAGGING',
      });
    } finally {
      await models.stop();
    }
  });
});

describe('read-your-writes where another process runs the projections', () => {
  it('leaves nothing behind per wait (no listener, timer or promise kept)', async () => {
    const { events: store, sql } = await openEmbeddedDatabase({ dataDir: 'memory://' });
    try {
      const p = ledgerProcess(store);
      await seedLedger(p, { riders: 1, budgetPoints: 1000, pricePoints: 5, stock: 1 });
      // This process never starts the runners (as the API beside a worker): another one applies.
      const waiting = await ReadModels.open(store, sql, { schema: 'read', timeZone: SHANGHAI });
      const applying = await ReadModels.open(store, sql, { schema: 'read', timeZone: SHANGHAI });
      const head = store.positionOf(await store.headCursor()) ?? 0;
      const reads = Array.from({ length: 20 }, () => waiting.waitFor(head, 2000));
      await new Promise((r) => setTimeout(r, 200)); // several rechecks by timer, no batch here
      await applying.catchUp();
      await Promise.all(reads);
      const progress = (waiting as unknown as { progress: import('node:events').EventEmitter })
        .progress;
      expect(progress.listenerCount('batch')).toBe(0);
    } finally {
      await store.close();
    }
  });
});

/** Applies the batch's rows, then dies before the checkpoint commits (on the given call). */
function crashingOnce<F extends (...args: never[]) => Promise<void>>(apply: F, onCall: number): F {
  let calls = 0;
  return (async (...args: Parameters<F>) => {
    await apply(...args);
    calls++;
    if (calls === onCall) throw new Error('killed');
  }) as F;
}

describe('read-your-writes of one read model', () => {
  it('names every projection, and waits only for those a read uses', async () => {
    expect(PROJECTION_NAMES.slice().sort()).toEqual(PROJECTIONS.map((p) => p.name).sort());
    const { events: store, sql } = await openEmbeddedDatabase({ dataDir: 'memory://' });
    try {
      const p = ledgerProcess(store);
      await seedLedger(p, { riders: 1, budgetPoints: 1000, pricePoints: 5, stock: 1 });
      const waiting = await ReadModels.open(store, sql, { schema: 'read', timeZone: SHANGHAI });
      // Only the balances are brought up to date; every other projection stays behind.
      const balancesOnly = await ReadModels.open(store, sql, {
        schema: 'read',
        timeZone: SHANGHAI,
        projections: [balancesProjection],
      });
      await balancesOnly.catchUp();
      const head = store.positionOf(await store.headCursor()) ?? 0;
      await expect(waiting.waitForProjections(['balances'], head, 1000)).resolves.toBeUndefined();
      await expect(
        waiting.waitForProjections(['balances', 'funds'], head, 50),
      ).rejects.toMatchObject({ code: 'PROJECTION_LAGGING' });
      await expect(waiting.waitFor(head, 50)).rejects.toMatchObject({
        code: 'PROJECTION_LAGGING',
      });
      // This process's own writes count as well, for the projections asked for.
      waiting.noteWritten(head + 1_000_000);
      await expect(waiting.waitForProjections(['balances'], 0, 50)).rejects.toMatchObject({
        code: 'PROJECTION_LAGGING',
      });
    } finally {
      await store.close();
    }
  });
});

describe('read-your-writes of one rider', () => {
  it("waits for that rider's writes and shared ones, not other riders', funds' or stock", async () => {
    const { events: store, sql } = await openEmbeddedDatabase({ dataDir: 'memory://' });
    try {
      const p = ledgerProcess(store);
      await seedLedger(p, { riders: 1, budgetPoints: 1000, pricePoints: 5, stock: 1 });
      const models = await ReadModels.open(store, sql, { schema: 'read', timeZone: SHANGHAI });
      await models.catchUp();
      const head = store.positionOf(await store.headCursor()) ?? 0;
      const ahead = head + 1_000_000; // a write the read models cannot have reached
      const lagging = { code: 'PROJECTION_LAGGING' };
      const read = (rider: string) => models.waitForProjections(['balances'], 0, 50, rider);
      models.noteWritten(ahead, { name: 'rider-r2', created: false });
      models.noteWritten(ahead + 1, { name: 'fund-f1', created: false });
      models.noteWritten(ahead + 2, { name: 'station-s1', created: false });
      await expect(read('r1')).resolves.toBeUndefined();
      await expect(read('r2')).rejects.toMatchObject(lagging);
      // A read of every rider still waits for every write.
      await expect(models.waitForProjections(['balances'], 0, 50)).rejects.toMatchObject(lagging);
      // A station's registration, a community, a rule: any rider read may show them.
      models.noteWritten(ahead + 3, { name: 'station-s9', created: true });
      await expect(read('r1')).rejects.toMatchObject(lagging);
    } finally {
      await store.close();
    }
  });

  it('forgets riders beyond its bound into a floor that every rider read waits for', async () => {
    const { events: store, sql } = await openEmbeddedDatabase({ dataDir: 'memory://' });
    try {
      const models = await ReadModels.open(store, sql, { schema: 'read', timeZone: SHANGHAI });
      const ahead = 1_000_000;
      models.noteWritten(ahead, { name: 'rider-old', created: false });
      // Writes at position 0 wait for nothing: only a floor can hold their riders' reads back.
      for (let i = 0; i < 3_999; i++)
        models.noteWritten(0, { name: `rider-n${i}`, created: false });
      await expect(
        models.waitForProjections(['balances'], 0, 50, 'n3998'),
      ).resolves.toBeUndefined();
      models.noteWritten(0, { name: 'rider-n3999', created: false });
      // One more than the bound: 'old', the oldest, was forgotten into the floor, which now
      // holds back a read of any rider, the newest too.
      await expect(models.waitForProjections(['balances'], 0, 50, 'n3999')).rejects.toMatchObject({
        code: 'PROJECTION_LAGGING',
      });
    } finally {
      await store.close();
    }
  });
});

describe('a projection whose version changes', () => {
  it('is dropped and rebuilt from position 0 at the next start, the others kept', async () => {
    const { events: store, sql } = await openEmbeddedDatabase({ dataDir: 'memory://' });
    try {
      const p = ledgerProcess(store);
      await seedLedger(p, { riders: 2, budgetPoints: 1000, pricePoints: 5, stock: 1 });
      const marks = (version: number): Projection => ({
        name: 'marks',
        version,
        tables: [{ name: 'marks', orderBy: 'position' }],
        ddl: (s) =>
          version === 1
            ? `create table if not exists ${s}.marks (position bigint primary key)`
            : `create table if not exists ${s}.marks (position bigint primary key, type text not null)`,
        applyBatch: perEvent(async (_event, stored, q, { schema }) => {
          await (version === 1
            ? q(`insert into ${schema}.marks values ($1)`, [stored.position])
            : q(`insert into ${schema}.marks values ($1, $2)`, [stored.position, stored.type]));
        }),
      });
      const open = (version: number) =>
        ReadModels.open(store, sql, {
          schema: 'versioned',
          timeZone: SHANGHAI,
          projections: [balancesProjection, marks(version)],
        });
      const head = store.positionOf(await store.headCursor());
      await (await open(1)).catchUp();
      const reopened = await open(2);
      expect(await reopened.checkpoints()).toEqual([
        expect.objectContaining({ projection: 'balances', position: head }),
        expect.objectContaining({ projection: 'marks', cursor: '', position: null, events: 0 }),
      ]);
      const applied = await reopened.catchUp();
      const { rows } = await sql.query<{ n: number; typed: number }>(
        `select count(*)::int as n, count(type)::int as typed from versioned.marks`,
      );
      expect(rows[0]).toEqual({ n: applied, typed: applied });
      expect(applied).toBeGreaterThan(5);
      // Opened again at the same version: nothing is dropped.
      expect(await (await open(2)).checkpoints()).toContainEqual(
        expect.objectContaining({ projection: 'marks', position: head }),
      );
    } finally {
      await store.close();
    }
  });
});
