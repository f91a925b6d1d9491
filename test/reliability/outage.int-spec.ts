import { Redis } from 'ioredis';
import {
  dropSchema,
  FaultProxy,
  requirePostgres,
  requireRedis,
  TEST_DATABASE_URL,
  TEST_REDIS_URL,
  uniqueSchema,
  type Fault,
} from '@ledger/testing';
import { percentile } from '../bench/measure';
import { waterDistrict } from './water-district';
import {
  call,
  eventually,
  kill,
  replay,
  startApi,
  startWorker,
  type Answer,
  type ApiProcess,
  type AppProcess,
} from '../support/processes';

/**
 * A request that meets a dead dependency must be told so within this (it must not hang):
 * - stopped (connections reset, new ones refused): the driver knows at once;
 * - unreachable (nothing answers): until the first statement gives up on the silent link (the
 *   statement timeout, 5 s, plus a second), a request may wait that long; from then on the link
 *   breaker answers every request at once.
 */
const ANSWER_WITHIN_MS: Record<Fault, number> = { refuse: 2000, blackhole: 7500 };
/** Unreachable: requests that start this long after the cut find the breaker open. */
const BREAKER_OPEN_AFTER_MS = 7000;
const BREAKER_ANSWERS_WITHIN_MS = 1000;
/** Adding a job with Redis away: refused at once when stopped, after the queue's 2 s timeout when silent. */
const JOB_ANSWER_WITHIN_MS: Record<Fault, number> = { refuse: 1000, blackhole: 3000 };
/** After the dependency is back, the service must serve again within this, by itself. */
const RECOVER_WITHIN_MS = 10_000;
/**
 * How long each outage lasts: in a blackhole the requests caught at the cut take the query
 * timeout (6 s) before the first answers come, so it lasts longer to see requests made during it.
 */
const OUTAGE_MS: Record<Fault, number> = { refuse: 6000, blackhole: 12_000 };
const RIDERS = 6;
/** A Redis database of its own, so the queue is this test's alone. */
const REDIS_DB = 9;

/** What a failure message shows of an outcome. */
const brief = (o: Outcome, since: number) => ({
  route: o.route,
  status: o.status,
  code: o.body.code ?? o.body.error,
  ms: o.ms,
  at: o.startedAt - since,
});

interface Outcome extends Answer {
  readonly route: string;
  readonly key?: string;
  /** Sends the same request again (same key, same body). */
  readonly again: () => Promise<Answer>;
  readonly startedAt: number;
  readonly ms: number;
}

const url = new URL(TEST_DATABASE_URL);
const redisUrl = new URL(TEST_REDIS_URL);

describe('outage: PostgreSQL or Redis unavailable while serving', () => {
  let pg: FaultProxy;
  let redis: FaultProxy;
  let api: ApiProcess;
  let worker: AppProcess;
  let stationToken: string;
  const schema = uniqueSchema('outage');
  let keys = 0;

  beforeAll(async () => {
    await requirePostgres();
    await requireRedis();
    const flush = new Redis(`${TEST_REDIS_URL}/${REDIS_DB}`);
    await flush.flushdb();
    flush.disconnect();
    pg = await FaultProxy.start({ host: url.hostname, port: Number(url.port || 5432) });
    redis = await FaultProxy.start({
      host: redisUrl.hostname,
      port: Number(redisUrl.port || 6379),
    });
    const through = new URL(TEST_DATABASE_URL);
    through.host = pg.address;
    const env = {
      EVENT_STORE: 'postgres',
      DATABASE_URL: through.toString(),
      DATABASE_SCHEMA: schema,
      REDIS_URL: `redis://${redis.address}/${REDIS_DB}`,
      RECOVERY_GRACE_SECONDS: '30',
    };
    [api, worker] = await Promise.all([startApi(env), startWorker(env)]);
    const tokens = await waterDistrict(api, {
      riders: RIDERS,
      stock: 100_000,
      principals: [{ id: 'st1', name: '几江驿站', role: 'station', stationIds: ['s1'] }],
    });
    stationToken = tokens.st1;
  }, 120_000);

  beforeEach(async () => {
    // Each case starts from a serving system (the previous one must have recovered).
    expect(await eventually(async () => (await health()).status === 200, RECOVER_WITHIN_MS)).toBe(
      true,
    );
  });

  afterEach(() => {
    const state = expect.getState();
    if (state.assertionCalls > state.numPassingAsserts || process.env.OUTAGE_LOGS) {
      const errors = (app: AppProcess) =>
        app
          .output()
          .split('\n')
          .filter((line) => !line.includes('"msg":"request"'))
          .slice(-40)
          .join('\n');
      console.log(`API log, but requests:\n${errors(api)}\n\nWorker log:\n${errors(worker)}`);
    }
  });

  afterAll(async () => {
    await Promise.all([api, worker].filter(Boolean).map((p) => kill(p)));
    await Promise.all([pg?.stop(), redis?.stop()]);
    await dropSchema(schema);
    await dropSchema(`${schema}_read`);
  }, 60_000);

  /** Drivers that keep awarding, reading balances and redeeming until stopped, noting each answer. */
  function load(drivers = 4) {
    const outcomes: Outcome[] = [];
    let stopped = false;
    const one = async (route: string, send: () => Promise<Answer>, key?: string) => {
      const startedAt = Date.now();
      const answer = await send().catch((e: unknown): Answer => ({
        status: 0,
        body: { error: String(e) },
      }));
      outcomes.push({ ...answer, route, key, again: send, startedAt, ms: Date.now() - startedAt });
      // A client told "unavailable" waits a little before its next request, as clients do.
      if (answer.status >= 500 || answer.status === 0) await new Promise((r) => setTimeout(r, 100));
    };
    const running = Array.from({ length: drivers }, async (_, d) => {
      for (let i = 0; !stopped; i++) {
        const rider = `r${(d + i) % RIDERS}`;
        const key = `outage-${keys++}`;
        const body = award(rider);
        await one('award', () => call(api, 'POST', '/v1/awards', body, { key }), key);
        await one('balance', () => call(api, 'GET', `/v1/riders/${rider}/balance`));
        if (i % 3 === 0) {
          const redeemKey = `redeem-${keys++}`;
          await one(
            'redemption',
            () =>
              call(
                api,
                'POST',
                '/v1/redemptions',
                { riderId: rider, stationId: 's1', items: [{ sku: 'water', quantity: 1 }] },
                { key: redeemKey, token: stationToken },
              ),
            redeemKey,
          );
        }
      }
    });
    return {
      outcomes,
      stop: async () => {
        stopped = true;
        await Promise.all(running);
        return outcomes;
      },
    };
  }

  async function health(): Promise<Answer & { ms: number }> {
    const startedAt = Date.now();
    const res = await fetch(`${api.url}/health`);
    return {
      status: res.status,
      body: (await res.json()) as Record<string, unknown>,
      ms: Date.now() - startedAt,
    };
  }

  /** Retries every write that answered 503 with its key, as a client would, until it is answered. */
  async function retryUnanswered(outcomes: readonly Outcome[]): Promise<Answer[]> {
    const answers: Answer[] = [];
    for (const o of outcomes.filter((o) => o.status === 503 && o.key !== undefined)) {
      let answer: Answer = o;
      // IDEMPOTENCY_KEY_IN_USE: the first request's claim is still held; the client waits and retries.
      await eventually(async () => {
        answer = await o.again();
        return answer.status !== 503 && answer.body.code !== 'IDEMPOTENCY_KEY_IN_USE';
      }, 30_000);
      answers.push(answer);
    }
    return answers;
  }

  /** The ledger agrees with itself: every entry once, the fund paid what the riders earned. */
  async function tally() {
    let earned = 0;
    let redeemed = 0;
    const seen = new Map<string, number>();
    const lines = async function* (riderId: string) {
      for (let cursor: string | null = ''; cursor !== null;) {
        const page = await call(
          api,
          'GET',
          `/v1/riders/${riderId}/ledger?limit=1000${cursor ? `&cursor=${cursor}` : ''}`,
        );
        yield* page.body.items as { entryId: string; type: string; points: number }[];
        cursor = page.body.nextCursor as string | null;
      }
    };
    for (let r = 0; r < RIDERS; r++) {
      for await (const line of lines(`r${r}`)) {
        seen.set(
          `${line.type}:${line.entryId}`,
          (seen.get(`${line.type}:${line.entryId}`) ?? 0) + 1,
        );
        if (line.type === 'award') earned += line.points;
        if (line.type === 'redemption') redeemed++;
      }
    }
    const fund = (await call(api, 'GET', '/v1/funds/f1')).body;
    const items = (await call(api, 'GET', '/v1/stations/s1/items')).body.items as {
      stock: number;
    }[];
    return {
      seen,
      earned,
      paid: Number(fund.awardedPoints),
      handedOut: 100_000 - items[0].stock,
      redeemed,
    };
  }

  async function postgresOutage(fault: Fault) {
    const traffic = load();
    await new Promise((r) => setTimeout(r, 1500));
    const cutAt = Date.now();
    await pg.cut(fault);
    await new Promise((r) => setTimeout(r, 2000));
    const during = await health();
    await new Promise((r) => setTimeout(r, OUTAGE_MS[fault] - 2000));
    const healAt = Date.now();
    await pg.heal();
    const healthy = await eventually(
      async () => (await health()).status === 200,
      RECOVER_WITHIN_MS,
    );
    const recoveredAt = Date.now();
    await new Promise((r) => setTimeout(r, 1500)); // serving again, under load
    const outcomes = await traffic.stop();

    const before = outcomes.filter((o) => o.startedAt + o.ms < cutAt);
    const inOutage = outcomes.filter((o) => o.startedAt >= cutAt && o.startedAt + o.ms <= healAt);
    const after = outcomes.filter((o) => o.startedAt >= recoveredAt);
    // Before: served. During: 503 STORE_UNAVAILABLE, each within the bound, nothing else.
    expect(before.length).toBeGreaterThan(10);
    expect(before.filter((o) => o.status >= 500)).toEqual([]);
    expect(inOutage.length).toBeGreaterThan(3);
    expect(inOutage.filter((o) => o.status !== 503 || o.body.code !== 'STORE_UNAVAILABLE')).toEqual(
      [],
    );
    // Every request caught by the outage is answered within the bound…
    const slow = outcomes.filter(
      (o) => o.startedAt + o.ms > cutAt && o.startedAt < healAt && o.ms > ANSWER_WITHIN_MS[fault],
    );
    expect(slow.map((o) => brief(o, cutAt))).toEqual([]);
    // …and once the breaker knows the link is silent, at once.
    const breakerOpen = inOutage.filter((o) => o.startedAt >= cutAt + BREAKER_OPEN_AFTER_MS);
    if (fault === 'blackhole') {
      expect(breakerOpen.length).toBeGreaterThan(3);
      expect(
        breakerOpen.filter((o) => o.ms > BREAKER_ANSWERS_WITHIN_MS).map((o) => brief(o, cutAt)),
      ).toEqual([]);
    }
    // Health names the store, and says the queue is fine.
    expect(during).toMatchObject({
      status: 503,
      body: {
        status: 'unavailable',
        store: { kind: 'postgres', status: 'down' },
        queue: { status: 'up' },
      },
    });
    expect(during.ms).toBeLessThan(3000);
    // Back by itself within seconds; then every route serves.
    expect({ healthy, recoveredInMs: recoveredAt - healAt }).toEqual({
      healthy: true,
      recoveredInMs: expect.any(Number) as number,
    });
    expect(recoveredAt - healAt).toBeLessThan(RECOVER_WITHIN_MS);
    expect(after.length).toBeGreaterThan(5);
    expect(
      after.filter((o) => o.status !== 200 && o.status !== 201).map((o) => brief(o, healAt)),
    ).toEqual([]);
    const caught = outcomes.filter((o) => o.startedAt < cutAt && o.startedAt + o.ms > cutAt);
    return {
      outcomes,
      healAt,
      figures: {
        requestsDuring: inOutage.length,
        duringP50Ms: percentile(
          inOutage.map((o) => o.ms),
          50,
        ),
        duringMaxMs: Math.max(...inOutage.map((o) => o.ms)),
        caughtAtCutMaxMs: Math.max(0, ...caught.map((o) => o.ms)),
        healthDownMs: during.ms,
        healthyAfterHealMs: recoveredAt - healAt,
      },
    };
  }

  /** Checks the ledger after an outage; answers how long half-done acts took to be finished. */
  async function consistent(outcomes: readonly Outcome[], healAt: number) {
    // Nothing half-written: acts cut between their two streams are finished by the process that
    // left them, soon after the store is back; the fund has paid exactly what riders earned.
    let t = await tally();
    await eventually(async () => {
      t = await tally();
      return t.paid === t.earned && t.handedOut === t.redeemed;
    }, 15_000);
    const wholeAfterHealMs = Date.now() - healAt;
    // Every write that answered 503 is done once its client retries with its key.
    const retried = await retryUnanswered(outcomes);
    expect(retried.filter((a) => a.status !== 201)).toEqual([]);
    t = await tally();
    expect([...t.seen.entries()].filter(([, n]) => n !== 1)).toEqual([]);
    expect({ paid: t.paid, handedOut: t.handedOut }).toEqual({
      paid: t.earned,
      handedOut: t.redeemed,
    });
    for (const o of outcomes.filter((o) => o.status === 201 && o.route === 'award'))
      expect(t.seen.get(`award:${String(o.body.entryId)}`)).toBe(1);
    expect((await call(api, 'GET', '/v1/audit/verification')).body).toMatchObject({
      ok: true,
      problem: null,
    });
    expect(await replay(api)).toMatchObject({ status: 'done', differences: [] });
    return { retried: retried.length, wholeAfterHealMs };
  }

  /** The figures of a case, for docs/reliability.md. */
  const report = (name: string, figures: Record<string, number>) =>
    console.log(`outage figures, ${name}: ${JSON.stringify(figures)}`);

  it('PostgreSQL stopped: 503 STORE_UNAVAILABLE at once, health names it, back by itself', async () => {
    const { outcomes, healAt, figures } = await postgresOutage('refuse');
    report('PostgreSQL stopped', { ...figures, ...(await consistent(outcomes, healAt)) });
  }, 120_000);

  it('PostgreSQL unreachable (packets dropped): 503 within the timeouts, back by itself', async () => {
    const { outcomes, healAt, figures } = await postgresOutage('blackhole');
    report('PostgreSQL unreachable', { ...figures, ...(await consistent(outcomes, healAt)) });
  }, 120_000);

  it.each(['refuse', 'blackhole'] as const)(
    'Redis down (%s): the ledger keeps serving, jobs answer 503, health names the queue, back by itself',
    async (fault) => {
      // The queue is in use (the API has added jobs before), as in a deployment that has served.
      expect(await replay(api)).toMatchObject({ status: 'done' });
      const traffic = load(2);
      await new Promise((r) => setTimeout(r, 500));
      await redis.cut(fault);
      const startedAt = Date.now();
      const job = await call(api, 'POST', '/v1/audit/replays');
      const jobMs = Date.now() - startedAt;
      await new Promise((r) => setTimeout(r, 1500));
      const during = await health();
      const healAt = Date.now();
      await redis.heal();
      const healthy = await eventually(
        async () => (await health()).status === 200,
        RECOVER_WITHIN_MS,
      );
      const healthyAfterHealMs = Date.now() - healAt;
      const outcomes = await traffic.stop();

      expect({ status: job.status, code: job.body.code }).toEqual({
        status: 503,
        code: 'STORE_UNAVAILABLE',
      });
      expect(jobMs).toBeLessThan(JOB_ANSWER_WITHIN_MS[fault]);
      expect(during).toMatchObject({
        status: 503,
        body: { store: { status: 'up' }, queue: { kind: 'redis', status: 'down' } },
      });
      expect(during.ms).toBeLessThan(3000);
      // Awards, balances and redemptions do not need Redis: all served.
      expect(
        outcomes
          .filter((o) => o.status !== 200 && o.status !== 201)
          .map((o) => brief(o, startedAt)),
      ).toEqual([]);
      expect(healthy).toBe(true);
      // The queue works again: a replay goes through the worker.
      expect(await replay(api)).toMatchObject({ status: 'done', differences: [] });
      const served = outcomes.filter((o) => o.startedAt >= startedAt && o.startedAt < healAt);
      report(`Redis ${fault === 'refuse' ? 'stopped' : 'unreachable'}`, {
        jobAnsweredMs: jobMs,
        healthDownMs: during.ms,
        healthyAfterHealMs,
        servedDuring: served.length,
        servedDuringP99Ms: percentile(
          served.map((o) => o.ms),
          99,
        ),
        ...(await consistent(outcomes, healAt)),
      });
    },
    120_000,
  );
});

function award(riderId: string) {
  return {
    riderId,
    activity: 'patrol',
    fundId: 'f1',
    reason: '夜间巡逻',
    occurredAt: new Date(Date.now() - 60_000).toISOString(),
  };
}
