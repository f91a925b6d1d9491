import { Redis } from 'ioredis';
import {
  dropSchema,
  requirePostgres,
  requireRedis,
  TEST_DATABASE_URL,
  TEST_REDIS_URL,
  uniqueSchema,
} from '@ledger/testing';
import { waterAward, waterDistrict, waterRedemption, type Acknowledged } from './water-district';
import {
  call,
  eventually,
  kill,
  ledgerOf,
  replay,
  startApi,
  startWorker,
  type Answer,
  type ApiProcess,
  type AppProcess,
} from '../support/processes';

const REDIS_DB = 12;
const RIDERS = 10;
const STOCK = 100_000;
const DRIVERS = 8;

const award = (i: number) => waterAward(i, RIDERS);
const redemption = (i: number) => waterRedemption(i, RIDERS);

/**
 * Issue 15: two APIs and two workers as processes on one PostgreSQL and Redis, nothing shared
 * but the stores. Writes and reads are spread over both APIs; a read on one API of a write made
 * through the other sees it when it passes the write's `position` as `minPosition`. One API is
 * killed with SIGKILL mid-load; a client whose request it cut retries the same Idempotency-Key on
 * the other API; the killed one is started again and takes load. Then: every acknowledged write
 * is in the log once, the fund paid what riders earned and the station handed out what riders
 * redeemed, the log verifies, and the read models equal a rebuild.
 */
describe('two APIs and two workers on one PostgreSQL and Redis', () => {
  const schema = uniqueSchema('replicas');
  let env: Record<string, string>;
  const apis: ApiProcess[] = [];
  const workers: AppProcess[] = [];

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
      PROJECTION_LEASE_SECONDS: '2',
    };
    apis.push(...(await Promise.all([startApi(env), startApi(env)])));
    workers.push(...(await Promise.all([startWorker(env), startWorker(env)])));
    await waterDistrict(apis[0], { riders: RIDERS, stock: STOCK });
    // The workers have just started (taking the projections' leases, catching up the district):
    // the reads below measure read-your-writes across APIs, not a start under the CI's other
    // suites (the fresh CI of 895198c met a first read answered 503 PROJECTION_LAGGING after 5 s).
    expect(await eventually(async () => (await lag()) === 0, 60_000)).toBe(true);
  }, 120_000);

  /** How far the read models are behind the log, as the first API's /health says. */
  const lag = async () =>
    ((await call(apis[0], 'GET', '/health')).body as { projectionLag: number | null })
      .projectionLag;

  afterAll(async () => {
    await Promise.all([...apis, ...workers].map((p) => kill(p).catch(() => undefined)));
    await dropSchema(schema);
    await dropSchema(`${schema}_read`);
    await dropSchema(`${schema}_read_shadow`);
  });

  it('reads through one API see a write made through the other, given its position', async () => {
    const [one, other] = apis;
    for (let i = 0; i < 10; i++) {
      const made = await call(one, 'POST', '/v1/awards', award(i), { key: `ryw-${i}` });
      expect(made.status).toBe(201);
      const riderId = award(i).riderId;
      const read = await call(
        other,
        'GET',
        `/v1/riders/${riderId}/balance?minPosition=${String(made.body.position)}`,
      );
      // A refusal shows what the other API saw of the projections, to tell a stalled log fence
      // (lag 0, nothing new to read) from a projection not followed (lag above 0, no holder).
      const seen = read.status === 200 ? undefined : (await call(other, 'GET', '/health')).body;
      expect({ i, status: read.status, balance: read.body.balance, seen }).toEqual({
        i,
        status: 200,
        balance: made.body.balanceAfter,
        seen: undefined,
      });
    }
  }, 60_000);

  it('loses and doubles nothing when one API is killed mid-load and started again', async () => {
    const acknowledged: Acknowledged[] = [];
    const refused: string[] = [];
    let next = 0;
    let retriedElsewhere = 0;
    let inUseWaitMs = 0;
    let stop = false;
    /** The live APIs; the killed one is out of it until it is back. */
    const live = new Set<number>([0, 1]);
    const send = async (i: number): Promise<Answer | undefined> => {
      const route = i % 3 === 2 ? '/v1/redemptions' : '/v1/awards';
      const body = route === '/v1/awards' ? award(i) : redemption(i);
      const key = `replicas-${i}`;
      // Round robin over the live APIs, as a load balancer would; a cut request goes to the
      // other. A key its killed first holder had claimed answers IDEMPOTENCY_KEY_IN_USE until the
      // claim is abandoned (ABANDONED_CLAIM_SECONDS): the client retries it, as api.md says.
      const began = Date.now();
      for (let attempt = 0; Date.now() - began < 120_000; attempt++) {
        const index = [...live][(i + attempt) % live.size] ?? 0;
        let res: Answer;
        try {
          res = await call(apis[index], 'POST', route, body, {
            key,
            signal: AbortSignal.timeout(30_000),
          });
        } catch {
          retriedElsewhere++;
          await new Promise((r) => setTimeout(r, 100));
          continue;
        }
        if (res.body.code === 'IDEMPOTENCY_KEY_IN_USE') {
          inUseWaitMs = Math.max(inUseWaitMs, Date.now() - began);
          await new Promise((r) => setTimeout(r, 1000));
          continue;
        }
        if (res.status === 201) {
          const id = String(res.body.entryId ?? res.body.redemptionId);
          acknowledged.push({ route, key, body, id });
        } else if (res.body.code !== 'INSUFFICIENT_BALANCE') {
          refused.push(`${route} ${res.status} ${String(res.body.code)}`);
        }
        return res;
      }
      refused.push(`${route} ${key}: no answer in 120 s`);
      return undefined;
    };
    const drivers = Array.from({ length: DRIVERS }, async () => {
      while (!stop) await send(next++);
    });
    await new Promise((r) => setTimeout(r, 3000));
    live.delete(1);
    await kill(apis[1]);
    const killedAt = next;
    await new Promise((r) => setTimeout(r, 2000));
    apis[1] = await startApi(env);
    live.add(1);
    await new Promise((r) => setTimeout(r, 3000));
    stop = true;
    await Promise.all(drivers);
    console.log(
      `replicas: ${JSON.stringify({
        requests: next,
        killedAtRequest: killedAt,
        acknowledged: acknowledged.length,
        retriedElsewhere,
        longestInUseWaitMs: inUseWaitMs,
      })}`,
    );
    expect(refused).toEqual([]);
    expect(acknowledged.filter((a) => a.route === '/v1/awards').length).toBeGreaterThan(50);
    expect(acknowledged.filter((a) => a.route === '/v1/redemptions').length).toBeGreaterThan(10);

    // Each acknowledged key answers its first answer again, on either API, writing nothing new.
    for (const [n, { route, key, body, id }] of acknowledged.entries()) {
      const again = await call(apis[n % 2], 'POST', route, body, { key });
      expect({
        key,
        status: again.status,
        id: String(again.body.entryId ?? again.body.redemptionId),
      }).toEqual({
        key,
        status: 201,
        id,
      });
    }
    const api = apis[0];
    const tally = async () => {
      let earned = 0;
      let redeemed = 0;
      const seen = new Map<string, number>();
      for (let r = 0; r < RIDERS; r++)
        for (const line of await ledgerOf(api, `r${r}`)) {
          const line_ = `${line.type}:${line.entryId}`;
          seen.set(line_, (seen.get(line_) ?? 0) + 1);
          if (line.type === 'award') earned += line.points;
          if (line.type === 'redemption') redeemed++;
        }
      const fund = await call(api, 'GET', '/v1/funds/f1');
      const items = (await call(api, 'GET', '/v1/stations/s1/items')).body.items as {
        stock: number;
      }[];
      return {
        seen,
        earned,
        paid: Number(fund.body.awardedPoints),
        redeemed,
        handedOut: STOCK - items[0].stock,
      };
    };
    // Acts the killed API had half done are finished by settlement recovery (either API, or the
    // restarted one, once the grace is over): compared until they agree, 90 s at most.
    let t = await tally();
    await eventually(async () => {
      t = await tally();
      return t.paid === t.earned && t.handedOut === t.redeemed;
    }, 90_000);
    for (const { route, id } of acknowledged) {
      const line = `${route === '/v1/awards' ? 'award' : 'redemption'}:${id}`;
      expect({ line, times: t.seen.get(line) }).toEqual({ line, times: 1 });
    }
    expect([...t.seen.entries()].filter(([, n]) => n !== 1)).toEqual([]);
    expect({ paid: t.paid, handedOut: t.handedOut }).toEqual({
      paid: t.earned,
      handedOut: t.redeemed,
    });
    expect((await call(api, 'GET', '/v1/audit/verification')).body).toMatchObject({ ok: true });
    // The replay compares each live table at its checkpoint; the other worker must not be still
    // applying the last acts (recovery's) meanwhile: wait until no projection lags, as
    // workers.int-spec does (the CI of 92195f0 met a leaf applied between checkpoint and compare).
    expect(await eventually(async () => (await lag()) === 0, 30_000)).toBe(true);
    expect(await replay(apis[1], 120_000)).toMatchObject({ status: 'done', differences: [] });
  }, 300_000);
});
