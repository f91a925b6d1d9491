import { Redis } from 'ioredis';
import {
  dropSchema,
  requirePostgres,
  requireRedis,
  TEST_DATABASE_URL,
  TEST_REDIS_URL,
  uniqueSchema,
} from '@ledger/testing';
import { waterDistrict } from './water-district';
import {
  call,
  eventually,
  kill,
  replay,
  startApi,
  startWorker,
  type ApiProcess,
  type AppProcess,
} from '../support/processes';

/** A Redis database of its own, so the queue is this test's alone. */
const REDIS_DB = 11;
const LEASE_SECONDS = 2;
/** A projection is taken over within its lease and a third (the keeper's tick), plus slack. */
const TAKEOVER_BOUND_MS = LEASE_SECONDS * 1000 * (4 / 3) + 3000;
const RIDERS = 12;
const STOCK = 100_000;
const PATROL = { activity: 'patrol', fundId: 'f1', reason: '夜间巡逻' };

type Health = {
  projectionLag: number | null;
  projections: { holders: Record<string, string | null> | null };
};

/**
 * Issue 11: several workers on one PostgreSQL and Redis, the API beside them. Each projection is
 * followed by one worker at a time (a lease), every batch moves its checkpoint by compare-and-set,
 * so the read models equal a rebuild row for row: with two workers, with three, after a holder is
 * killed mid-load (its projections taken over within the bound), and after one is frozen past
 * its lease and resumed (it finds the lease lost and writes nothing).
 */
describe('several workers: read models applied once', () => {
  const schema = uniqueSchema('workers');
  let env: Record<string, string>;
  let api: ApiProcess;
  const workers: AppProcess[] = [];
  let next = 0;
  const awards: string[] = [];
  const redemptions: string[] = [];
  /** Answers by kind and status, e.g. `award 201`: the load must be made of real writes. */
  const answered = new Map<string, number>();
  const tally = (kind: string, status: number) =>
    answered.set(`${kind} ${status}`, (answered.get(`${kind} ${status}`) ?? 0) + 1);

  const health = async () =>
    (await call(api, 'GET', '/health', undefined, { signal: AbortSignal.timeout(10_000) }))
      .body as unknown as Health;
  /** The processes holding projections now, and whether every projection has one. */
  const holders = async () => {
    const h = (await health()).projections.holders ?? {};
    const held = Object.values(h);
    return { all: held.every((x) => x !== null), by: new Set(held.filter(Boolean)) };
  };
  const must = async (method: string, path: string, body?: unknown) => {
    const res = await call(api, method, path, body);
    if (res.status >= 300) throw new Error(`${path}: ${res.status} ${JSON.stringify(res.body)}`);
    return res.body;
  };

  /** A request that may not hang the test: 30 s at most. */
  const send = (method: string, path: string, body: unknown) =>
    call(api, method, path, body, { signal: AbortSignal.timeout(30_000) });

  /** `count` requests of the ordinary kinds, 6 at a time: awards, reversals, redemptions, cancellations, restocks. */
  const load = async (count: number) => {
    const end = next + count;
    const one = async (i: number) => {
      const riderId = `r${i % RIDERS}`;
      const kind = i % 10;
      if (kind < 4) {
        const body = { riderId, ...PATROL, occurredAt: new Date().toISOString() };
        const res = await send('POST', '/v1/awards', body);
        tally('award', res.status);
        if (res.status === 201) awards.push(String(res.body.entryId));
      } else if (kind === 4 && awards.length > 0) {
        const entryId = awards.splice(Math.floor(awards.length / 2), 1)[0];
        const res = await send('POST', `/v1/awards/${entryId}/reversal`, {
          reason: '重复登记',
        });
        tally('reversal', res.status);
      } else if (kind < 8) {
        const items = [{ sku: 'water', quantity: 1 }];
        const res = await send('POST', '/v1/redemptions', { riderId, stationId: 's1', items });
        tally('redemption', res.status);
        if (res.status === 201) redemptions.push(String(res.body.redemptionId));
      } else if (kind === 8 && redemptions.length > 0) {
        const id = redemptions.splice(0, 1)[0];
        const res = await send('POST', `/v1/redemptions/${id}/cancellation`, {
          reason: '顾客退回',
        });
        tally('cancellation', res.status);
      } else {
        const res = await send('POST', '/v1/stations/s1/items/water/restock', {
          quantity: 2,
        });
        tally('restock', res.status);
      }
    };
    await Promise.all(
      Array.from({ length: 6 }, async () => {
        while (next < end) await one(next++);
      }),
    );
  };

  /** Read models caught up, then rebuilt from the log in a shadow schema and compared. */
  const equalToRebuild = async () => {
    expect(await eventually(async () => (await health()).projectionLag === 0, 30_000)).toBe(true);
    expect(await replay(api, 120_000)).toMatchObject({ status: 'done', differences: [] });
  };

  beforeAll(async () => {
    await requirePostgres();
    await requireRedis();
    const flush = new Redis(`${TEST_REDIS_URL}/${REDIS_DB}`);
    await flush.flushdb();
    flush.disconnect();
    env = {
      EVENT_STORE: 'postgres',
      DATABASE_URL: TEST_DATABASE_URL,
      DATABASE_SCHEMA: schema,
      REDIS_URL: `${TEST_REDIS_URL}/${REDIS_DB}`,
      PROJECTION_LEASE_SECONDS: String(LEASE_SECONDS),
    };
    api = await startApi(env);
    workers.push(...(await Promise.all([startWorker(env), startWorker(env)])));
    await waterDistrict(api, { riders: RIDERS, stock: STOCK });
    // Riders start with points, so redemptions go through.
    for (let r = 0; r < RIDERS; r++)
      await must('POST', '/v1/awards', {
        riderId: `r${r}`,
        ...PATROL,
        occurredAt: new Date().toISOString(),
      });
  }, 120_000);

  it('two workers split the projections, and the read models equal a rebuild', async () => {
    expect(await eventually(async () => (await holders()).by.size === 2, 15_000)).toBe(true);
    await load(300);
    await equalToRebuild();
  }, 180_000);

  it('three workers: a holder killed mid-load is taken over within the bound', async () => {
    workers.push(await startWorker(env));
    expect(await eventually(async () => (await holders()).by.size === 3, 15_000)).toBe(true);
    const loading = load(400);
    await new Promise((r) => setTimeout(r, 1500));
    const victim = workers[0];
    await kill(victim);
    const killedAt = Date.now();
    const takenOver = await eventually(async () => {
      const h = await holders();
      return h.all && h.by.size === 2;
    }, 30_000);
    const takeoverMs = Date.now() - killedAt;
    await loading;
    console.log(`takeover after SIGKILL: ${takeoverMs} ms (lease ${LEASE_SECONDS} s)`);
    expect(takenOver).toBe(true);
    expect(takeoverMs).toBeLessThan(TAKEOVER_BOUND_MS);
    await equalToRebuild();
  }, 180_000);

  it('a holder frozen past its lease finds it lost on waking, and writes nothing', async () => {
    const frozen = workers[1];
    const frozenName = `/${frozen.child.pid}/`;
    const holds = async () =>
      Object.values((await health()).projections.holders ?? {}).some((h) =>
        h?.includes(frozenName),
      );
    expect(await eventually(holds, 15_000)).toBe(true);
    const loading = load(200);
    await new Promise((r) => setTimeout(r, 500));
    frozen.child.kill('SIGSTOP');
    process.stderr.write(`froze worker ${frozen.child.pid}\n`);
    // Past its lease: the other worker takes everything the frozen one held.
    expect(await eventually(async () => !(await holds()) && (await holders()).all, 30_000)).toBe(
      true,
    );
    await loading;
    const before = frozen.output().length;
    frozen.child.kill('SIGCONT');
    expect(
      await eventually(
        async () => Promise.resolve(/projection lease lost/.test(frozen.output().slice(before))),
        15_000,
      ),
    ).toBe(true);
    await load(100);
    await equalToRebuild();
  }, 180_000);

  afterAll(async () => {
    await Promise.all([api, ...workers].map((p) => kill(p).catch(() => undefined)));
    await dropSchema(schema);
    await dropSchema(`${schema}_read`);
    await dropSchema(`${schema}_read_shadow`);
  });

  it('ran a load of every kind of write, none failing on the server', () => {
    console.log(`answers under load: ${JSON.stringify(Object.fromEntries(answered))}`);
    for (const kind of ['award 201', 'reversal 201', 'redemption 201', 'cancellation 201'])
      expect([kind, (answered.get(kind) ?? 0) > 20]).toEqual([kind, true]);
    expect(answered.get('restock 200') ?? 0).toBeGreaterThan(50);
    expect([...answered.keys()].filter((k) => k.endsWith(' 500'))).toEqual([]);
  });
});
