import {
  importStream,
  isDomainError,
  riderStream,
  type Actor,
  type RowVerdict,
} from '@ledger/domain';
import { streamEvents, type EventStore } from '@ledger/event-store';
import { tempDir } from '@ledger/testing';
import { CommandBus } from '@nestjs/cqrs';
import type { INestApplicationContext } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { balanceAsOf } from '../audit/as-of';
import { StreamCommand, type StreamKindName, type StreamTarget } from '../commands/stream-command';
import { loadConfig } from '../config/ledger-config';
import { EVENT_STORE } from '../infrastructure/tokens';
import { withLedger } from '../standalone';
import type { LedgerRequest } from '../write/ledger-request';
import { importIdOf } from './import-file';
import { Importer, IMPORT_BATCH_ROWS } from './importer';

const ZONE = 'Asia/Shanghai';
const ADMIN: Actor = { principalId: 'admin', role: 'admin', communityIds: [], stationIds: [] };
const request = (): LedgerRequest => ({
  context: { actor: ADMIN, now: new Date(), timeZone: ZONE },
  correlationId: randomUUID(),
});
const csv = (lines: string[]) => Buffer.from(`${lines.join('\n')}\n`);
const HEADER =
  'kind,riderId,communityId,name,phone,platform,occupation,date,activity,points,fundId,reason,stationId,item,quantity';

/** A district with one community, one station and a fund of `budget` points. */
async function district(app: INestApplicationContext, budget: number): Promise<void> {
  const bus = app.get(CommandBus);
  const must = async <K extends StreamKindName>(target: StreamTarget<K>) => {
    const done: unknown = await bus.execute(new StreamCommand(target, request()));
    if (isDomainError(done)) throw new Error(done.detail);
  };
  await must({
    kind: 'rules',
    command: { type: 'SetRules', rules: [{ activity: 'patrol', points: 20 }] },
  });
  await must({ kind: 'badges', command: { type: 'SetBadges', badges: [] } });
  await must({
    kind: 'fund',
    id: 'f1',
    command: {
      type: 'CreateFund',
      fundId: 'f1',
      name: '专项资金',
      district: '江津区',
      budgetPoints: budget,
    },
  });
  await must({
    kind: 'community',
    id: 'c1',
    command: {
      type: 'RegisterCommunity',
      communityId: 'c1',
      name: '滨江社区',
      street: '几江街道',
      district: '江津区',
    },
  });
  await must({
    kind: 'station',
    id: 's1',
    command: {
      type: 'RegisterStation',
      stationId: 's1',
      name: '滨江驿站',
      district: '江津区',
      kind: 'station',
    },
  });
}

const outcomes = (verdicts: readonly RowVerdict[]) =>
  Object.fromEntries(
    verdicts.map((v) => [v.row, v.refusal ? `${v.outcome} ${v.refusal.code}` : v.outcome]),
  );

describe('importing past history (issue 16)', () => {
  const dir = tempDir();
  afterAll(() => dir.remove());

  it('checks every row in date order, writes nothing until confirmed, then writes each row once with its provenance', async () => {
    const config = loadConfig({ DATA_DIR: dir.path, LEDGER_TIME_ZONE: ZONE });
    await withLedger(config, async (app) => {
      await district(app, 1000);
      const importer = app.get(Importer);
      const store = app.get<EventStore>(EVENT_STORE);
      const bad = csv([
        HEADER,
        'rider,r1,c1,王伟,13800000001,美团,food_delivery,2024-01-02,,,,,,,',
        'rider,r2,nowhere,李强,,顺丰,courier,,,,,,,,',
        'award,r1,,,,,,2024-03-01,patrol,100,f1,夜间巡逻,,,',
        'redemption,r1,,,,,,2024-04-01,,120,,,s1,雨衣,1',
        'award,r1,,,,,,2024-05-01,patrol,50,f1,夜间巡逻,,,',
        'redemption,r1,,,,,,2024-06-01,,120,,,s1,雨衣,1',
        'award,r1,,,,,,2024-05-01,patrol,50,f1,夜间巡逻,,,',
        'award,r9,,,,,,2024-05-02,patrol,10,f1,巡逻,,,',
        'award,r1,,,,,,2024-05-03,patrol,10,nofund,巡逻,,,',
        'award,r1,,,,,,2099-01-01,patrol,10,f1,巡逻,,,',
        'award,r1,,,,,,2024-05-04,flying,10,f1,巡逻,,,',
        'award,r1,,,,,,2024-07-01,patrol,900,f1,见义勇为,,,',
        'bonus,r1,,,,,,2024-07-01,patrol,9,f1,x,,,',
      ]);
      const head = await store.headCursor();
      const checked = await importer.check(bad, 'paper.csv', request());
      if (isDomainError(checked)) throw new Error(checked.detail);
      expect(checked.importId).toBe(importIdOf(bad));
      expect(outcomes(checked.verdicts)).toEqual({
        2: 'accepted',
        3: 'refused NOT_FOUND', // unknown community
        4: 'accepted',
        5: 'refused INSUFFICIENT_BALANCE', // 120 of 100 on 2024-04-01
        6: 'accepted',
        7: 'accepted', // 150 on 2024-06-01
        8: 'refused ALREADY_EXISTS', // row 6 again
        9: 'refused NOT_FOUND', // no rider r9
        10: 'refused NOT_FOUND', // no fund
        11: 'refused VALIDATION_FAILED', // in the future
        12: 'refused VALIDATION_FAILED', // not an activity
        13: 'refused FUND_EXHAUSTED', // 1000 − 150 left
        14: 'refused VALIDATION_FAILED', // not a kind
      });
      expect(await store.headCursor()).toEqual(head); // a check writes nothing
      const wrongHash = await importer.confirm(bad, 'paper.csv', '0'.repeat(64), request());
      expect(wrongHash).toMatchObject({ code: 'VALIDATION_FAILED' });
      const refused = await importer.confirm(bad, 'paper.csv', checked.importId, request());
      expect(refused).toMatchObject({ code: 'VALIDATION_FAILED' });
      expect(await store.headCursor()).toEqual(head);

      const good = csv([HEADER, ...[2, 4, 6, 7].map((n) => bad.toString().split('\n')[n - 1])]);
      const id = importIdOf(good);
      const done = await importer.confirm(good, 'paper.csv', id, request());
      if (isDomainError(done)) throw new Error(done.detail);
      expect(done.status).toMatchObject({
        status: 'done',
        toWrite: 4,
        written: 4,
        completed: { riders: 1, awards: 2, redemptions: 1 },
      });
      const events = [];
      for await (const e of streamEvents(store, riderStream('r1'))) events.push(e);
      expect(events.map((e) => e.type)).toEqual([
        'RiderRegistered',
        'PointsAwarded',
        'PointsAwarded',
        'RedemptionMade',
      ]);
      expect(events[1].data).toMatchObject({
        points: 100,
        ruleVersion: 0,
        imported: { importId: id, row: 3 },
        occurredAt: '2024-03-01T04:00:00.000Z',
      });
      expect(events[3].data).toMatchObject({
        points: 120,
        occurredAt: '2024-06-01T04:00:00.000Z',
        imported: { importId: id, row: 5 },
      });
      expect(events[3].metadata).toMatchObject({
        occurredAt: '2024-06-01T04:00:00.000Z',
        actor: { principalId: 'admin' },
      });
      // As of a date of the past, by when the acts happened: the imported year counts in its year.
      const april = await balanceAsOf(
        store,
        'r1',
        new Date('2024-04-15T00:00:00+08:00'),
        ZONE,
        'occurred',
      );
      expect(april?.balance).toBe(100);
      const july = await balanceAsOf(
        store,
        'r1',
        new Date('2024-07-01T00:00:00+08:00'),
        ZONE,
        'occurred',
      );
      expect(july?.balance).toBe(30);

      // The same file again writes nothing: every row is already imported.
      const after = await store.headCursor();
      const again = await importer.check(good, 'paper.csv', request());
      if (isDomainError(again)) throw new Error(again.detail);
      expect(again).toMatchObject({ accepted: 0, refused: 0, imported: 4 });
      const rerun = await importer.confirm(good, 'paper.csv', id, request());
      expect(rerun).toMatchObject({ status: { status: 'done' } });
      expect(await store.headCursor()).toEqual(after);
    });
  }, 60_000);

  it('resumes an import cut off between batches, writing every row once', async () => {
    const config = loadConfig({ DATA_DIR: `${dir.path}/resume`, LEDGER_TIME_ZONE: ZONE });
    await withLedger(config, async (app) => {
      await district(app, 1_000_000);
      const importer = app.get(Importer);
      const store = app.get<EventStore>(EVENT_STORE);
      const riders = Array.from(
        { length: 30 },
        (_, i) => `rider,r${i},c1,小哥${i},,美团,food_delivery,,,,,,,,`,
      );
      const awards = Array.from({ length: IMPORT_BATCH_ROWS + 200 }, (_, i) => {
        const day = new Date(Date.UTC(2024, 0, 1 + Math.floor(i / 30))).toISOString().slice(0, 10);
        return `award,r${i % 30},,,,,,${day},patrol,10,f1,巡逻,,,`;
      });
      const file = csv([HEADER, ...riders, ...awards]);
      const id = importIdOf(file);
      const cut = await importer
        .confirm(file, 'big.csv', id, request(), () => {
          throw new Error('the process died');
        })
        .catch((error: Error) => error.message);
      expect(cut).toBe('the process died');
      const half = await importer.status(id);
      expect(half).toMatchObject({ status: 'writing', batches: 1, written: IMPORT_BATCH_ROWS });
      const resumed = await importer.confirm(file, 'big.csv', id, request());
      if (isDomainError(resumed)) throw new Error(resumed.detail);
      expect(resumed.report).toMatchObject({ imported: IMPORT_BATCH_ROWS, accepted: 230 });
      expect(resumed.status).toMatchObject({ status: 'done', batches: 2, confirmations: 2 });
      let awarded = 0;
      for (let i = 0; i < 30; i++)
        for await (const e of streamEvents(store, riderStream(`r${i}`)))
          if (e.type === 'PointsAwarded') awarded++;
      expect(awarded).toBe(IMPORT_BATCH_ROWS + 200);
    });
  }, 120_000);

  it('writes only the rows a file edited after it was written adds, and starts one write for two confirmations at once', async () => {
    const config = loadConfig({ DATA_DIR: `${dir.path}/edited`, LEDGER_TIME_ZONE: ZONE });
    await withLedger(config, async (app) => {
      await district(app, 1000);
      const importer = app.get(Importer);
      const store = app.get<EventStore>(EVENT_STORE);
      const rider = 'rider,r1,c1,王伟,138-0000-0001,美团,food_delivery,2024-01-02,,,,,,,';
      const first = csv([
        HEADER,
        rider,
        'award,r1,,,,,,2024-03-01,patrol,100,f1,夜间巡逻,,,',
        'award,r1,,,,,,2024-03-02,patrol,20,f1,巡逻,,,',
      ]);
      const written = await importer.confirm(first, 'a.csv', importIdOf(first), request());
      if (isDomainError(written)) throw new Error(written.detail);
      // Saved again by hand: rows in another order, a date typed otherwise, a row added.
      const edited = csv([
        HEADER,
        'award,r1,,,,,,2024/3/2,patrol,20,f1,巡逻,,,',
        rider.replace('138-0000-0001', '13800000001'),
        'award,r1,,,,,,2024-04-01,patrol,30,f1,巡逻,,,',
        'award,r1,,,,,,2024年3月1日,patrol,100,f1,夜间巡逻,,,',
      ]);
      const id = importIdOf(edited);
      const checked = await importer.check(edited, 'a (2).csv', request());
      expect(checked).toMatchObject({ imported: 3, accepted: 1, refused: 0 });
      const [one, two] = await Promise.all([
        importer.start(edited, 'a (2).csv', id, request()),
        importer.start(edited, 'a (2).csv', id, request()),
      ]);
      expect(one).toMatchObject({ importId: id });
      expect(two).toMatchObject({ importId: id });
      let status = await importer.status(id);
      for (let i = 0; i < 100 && status?.status !== 'done'; i++) {
        await new Promise((resolve) => setTimeout(resolve, 50));
        status = await importer.status(id);
      }
      expect(status).toMatchObject({ status: 'done', confirmations: 1, toWrite: 1, written: 1 });
      const awards = [];
      for await (const e of streamEvents(store, riderStream('r1')))
        if (e.type === 'PointsAwarded') awards.push(e.data);
      expect(awards.map((a) => a.points)).toEqual([100, 20, 30]);
      expect(awards[2].imported).toEqual({ importId: id, row: 4 });
      // The import's own records are each of its batch: not the confirmation's request.
      const records = [];
      for await (const e of streamEvents(store, importStream(id))) records.push(e);
      expect(records.map((e) => e.type)).toEqual([
        'ImportConfirmed',
        'ImportBatchWritten',
        'ImportCompleted',
      ]);
      const correlation = new Set(records.map((e) => e.metadata.correlationId));
      expect(correlation.size).toBe(3);
      expect(records[0].metadata.actor).toMatchObject({ principalId: 'admin' });
    });
  }, 60_000);
});
