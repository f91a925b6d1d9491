import { fundDecider, fundStream } from '@ledger/domain';
import { InMemoryEventStore } from '@ledger/testing';
import { requestOf } from '../testing';
import { MAX_BATCH_BYTES, StreamWriter } from './stream-writer';

const award = {
  activity: 'patrol' as const,
  ruleVersion: 1,
  reason: 'r',
  occurredAt: '2026-06-14T13:00:00.000Z',
  source: 'staff-backfill' as const,
};
const reserve = (entryId: string, points = 10) => ({
  type: 'ReserveFundPoints' as const,
  fundId: 'f1',
  entryId,
  riderId: 'r1',
  points,
  award,
});

async function fundWith(store: InMemoryEventStore, budgetPoints: number): Promise<void> {
  const outcome = await new StreamWriter(store).execute(
    fundDecider,
    fundStream('f1'),
    { type: 'CreateFund', fundId: 'f1', name: 'f', district: 'd', budgetPoints },
    requestOf(),
  );
  if ('code' in outcome) throw new Error(outcome.detail);
}

describe('StreamWriter', () => {
  it('bounds a group commit by bytes as well as by commands (KurrentDB refuses appends over 1 MB)', async () => {
    const store = new InMemoryEventStore();
    await fundWith(store, 1_000_000);
    const sizes: number[] = [];
    store.beforeAppend = (_stream, events) =>
      void sizes.push(events.reduce((n, e) => n + Buffer.byteLength(JSON.stringify(e)), 0));
    const writer = new StreamWriter(store);
    const long = { ...award, reason: '夜'.repeat(10_000) }; // about 30 KB an event
    const outcomes = await Promise.all(
      Array.from({ length: 60 }, (_, i) =>
        writer.execute(
          fundDecider,
          fundStream('f1'),
          { ...reserve(`e${i}`), award: long },
          requestOf(),
        ),
      ),
    );
    expect(outcomes.every((o) => 'appended' in o && o.appended === 1)).toBe(true);
    const reserved = await store.readStream(fundStream('f1'));
    expect(reserved.slice(1).map((e) => e.data.entryId)).toEqual(
      Array.from({ length: 60 }, (_, i) => `e${i}`),
    );
    expect(sizes.length).toBeGreaterThan(2);
    expect(Math.max(...sizes)).toBeLessThanOrEqual(MAX_BATCH_BYTES);
  });

  it('decides concurrent commands on one stream in order and appends them together (group commit)', async () => {
    const store = new InMemoryEventStore();
    await fundWith(store, 55);
    let appends = 0;
    store.beforeAppend = () => void appends++;
    const writer = new StreamWriter(store);
    const outcomes = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        writer.execute(fundDecider, fundStream('f1'), reserve(`e${i}`), requestOf()),
      ),
    );
    expect(outcomes.filter((o) => 'code' in o && o.code === 'FUND_EXHAUSTED')).toHaveLength(15);
    expect(outcomes.filter((o) => !('code' in o))).toHaveLength(5);
    expect(appends).toBeLessThan(20);
    expect((await store.readStream(fundStream('f1'))).map((e) => e.type)).toEqual([
      'FundCreated',
      ...Array.from({ length: 5 }, () => 'FundPointsReserved'),
    ]);
  });

  it('confirms a refusal against the store when another process moved the stream on', async () => {
    const store = new InMemoryEventStore();
    await fundWith(store, 10);
    const here = new StreamWriter(store);
    const elsewhere = new StreamWriter(store);
    await here.read(fundDecider, fundStream('f1'), 'Asia/Shanghai'); // cached: budget 10
    const topUp = { type: 'TopUpFund' as const, fundId: 'f1', points: 100, reason: '追加' };
    await elsewhere.execute(fundDecider, fundStream('f1'), topUp, requestOf());
    // Stale, the cache would say FUND_EXHAUSTED; the writer checks the store first.
    const outcome = await here.execute(
      fundDecider,
      fundStream('f1'),
      reserve('e1', 50),
      requestOf(),
    );
    expect(outcome).toMatchObject({ appended: 1 });
  });

  it('recovers from a conflict by catching up and deciding again', async () => {
    const store = new InMemoryEventStore();
    await fundWith(store, 100);
    const a = new StreamWriter(store);
    const b = new StreamWriter(store);
    await a.read(fundDecider, fundStream('f1'), 'Asia/Shanghai');
    await b.execute(fundDecider, fundStream('f1'), reserve('e1', 60), requestOf());
    expect(
      await a.execute(fundDecider, fundStream('f1'), reserve('e2', 60), requestOf()),
    ).toMatchObject({
      code: 'FUND_EXHAUSTED',
    });
    expect(
      await a.execute(fundDecider, fundStream('f1'), reserve('e3', 40), requestOf()),
    ).toMatchObject({ appended: 1 });
  });

  it('keeps the most recently used states within its size and folds a dropped one anew', async () => {
    const store = new InMemoryEventStore();
    const writer = new StreamWriter(store, 2);
    for (const fundId of ['f1', 'f2', 'f3'])
      await writer.execute(
        fundDecider,
        fundStream(fundId),
        { type: 'CreateFund', fundId, name: fundId, district: 'd', budgetPoints: 10 },
        requestOf(),
      );
    const reads = jest.spyOn(store, 'readStream');
    const fromRevision = async (fundId: string) => {
      reads.mockClear();
      await writer.read(fundDecider, fundStream(fundId), 'Asia/Shanghai', { fresh: true });
      return reads.mock.calls[0]?.[1]?.fromRevision;
    };
    expect(await fromRevision('f3')).toBe(1); // cached: only what is new
    expect(await fromRevision('f2')).toBe(1);
    expect(await fromRevision('f1')).toBe(0); // dropped when f3 came: folded from the start
    expect(await fromRevision('f3')).toBe(0); // and f1 coming back dropped f3, the least recent
  });

  it('folds a stream longer than a page in whole pages, and learns its end from a short page', async () => {
    const store = new InMemoryEventStore();
    await fundWith(store, 1_000_000);
    const writer = new StreamWriter(store);
    // Concurrent commands go out in group commits: 2,499 reservations in a few appends.
    await Promise.all(
      Array.from({ length: 2_499 }, (_, i) =>
        writer.execute(fundDecider, fundStream('f1'), reserve(`e${i}`, 1), requestOf()),
      ),
    );
    const reads = jest.spyOn(store, 'readStream');
    const cold = await new StreamWriter(store).read(fundDecider, fundStream('f1'), 'Asia/Shanghai');
    expect(cold.state.reservations.size).toBe(2_499);
    expect(cold.state.awardedPoints).toBe(2_499);
    // 2,500 events: 1,000 + 1,000 + 500, and no fourth read to find the end.
    expect(reads.mock.calls.map(([, options]) => options?.fromRevision)).toEqual([0, 1000, 2000]);

    reads.mockClear();
    await writer.execute(fundDecider, fundStream('f1'), reserve('last', 1), requestOf());
    const again = new StreamWriter(store);
    expect(
      (await again.read(fundDecider, fundStream('f1'), 'Asia/Shanghai')).state.awardedPoints,
    ).toBe(2_500);
    // 2,501 events now: the short last page (one event) still ends the fold after it.
    expect(reads.mock.calls.map(([, options]) => options?.fromRevision)).toEqual([0, 1000, 2000]);
  });
});
