import { Pool } from 'pg';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cannon, startServer, type Server, type Shot } from './cannon';
import {
  percentile,
  round,
  throughput,
  throughputRow,
  type BenchOptions,
  type Row,
  type Sample,
} from './measure';
import {
  awardsThroughLedger,
  BENCH_DATABASE_URL,
  postgresReachable,
  withPostgres,
  WRITERS,
} from './store-rows';

const TOKEN = 'bench-admin-token-0123456789abcdefghijklmnopqrstuv';
const RIDERS = 64;

async function dropSchemas(schemas: string[]): Promise<void> {
  const pool = new Pool({ connectionString: BENCH_DATABASE_URL, max: 1 });
  try {
    for (const schema of schemas) await pool.query(`drop schema if exists ${schema} cascade`);
  } finally {
    await pool.end();
  }
}

const auth = { authorization: `Bearer ${TOKEN}` };

/** The tokens of the principals the rows act as (made by `setUp`). */
interface Callers {
  /** Community staff of c1 (awards). */
  staff: Record<string, string>;
  /** The station of the riders' district (balance look-ups). */
  station: Record<string, string>;
}

/**
 * A community, a fund, a rule, RIDERS riders, a station of their district, and a staff and a
 * station principal: the rows act as those (whose tokens are looked up per request, as in the
 * field), not as the bootstrap admin (whose token is matched in memory).
 */
async function setUp(port: number): Promise<Callers> {
  const post = async (path: string, body: unknown, method: 'POST' | 'PUT' = 'POST') => {
    const res = await fetch(`http://127.0.0.1:${port}${path}`, {
      method,
      headers: { ...auth, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    if (res.status >= 300) throw new Error(`${path}: ${res.status} ${await res.text()}`);
    return (await res.json()) as Record<string, unknown>;
  };
  await post('/v1/communities', {
    id: 'c1',
    name: '玉林社区',
    street: '芳草街街道',
    district: '成都市武侯区',
  });
  await post('/v1/funds', {
    id: 'f1',
    name: '专项资金',
    district: '成都市武侯区',
    budgetPoints: 1_000_000_000_000,
  });
  await post('/v1/rules', { rules: [{ activity: 'patrol', points: POINTS }] }, 'PUT');
  for (let r = 0; r < RIDERS; r++)
    await post('/v1/riders', {
      id: `r${r}`,
      communityId: 'c1',
      platform: '美团',
      occupation: 'food_delivery',
      name: `骑手${r}`,
    });
  await post('/v1/stations', {
    id: 's1',
    name: '玉林小哥驿站',
    district: '成都市武侯区',
    communityId: 'c1',
    kind: 'station',
  });
  const token = async (body: object) => ({
    authorization: `Bearer ${String((await post('/v1/principals', body)).token)}`,
  });
  return {
    staff: await token({ name: '玉林社区工作站', role: 'staff', communityIds: ['c1'] }),
    station: await token({ name: '玉林小哥驿站', role: 'station', stationIds: ['s1'] }),
  };
}

/** The API's environment for a bench run: PostgreSQL when reachable, else the embedded store. */
async function apiEnv(): Promise<{
  env: Record<string, string>;
  store: string;
  done: () => Promise<void>;
}> {
  const pg = await postgresReachable();
  const dir = mkdtempSync(join(tmpdir(), 'bench-http-'));
  const schema = `bench_http_${Date.now().toString(36)}`;
  return {
    env: {
      DATA_DIR: dir,
      LEDGER_ADMIN_TOKEN: TOKEN,
      RATE_LIMIT_PER_MINUTE: '0',
      ...(pg && {
        EVENT_STORE: 'postgres',
        DATABASE_URL: BENCH_DATABASE_URL,
        DATABASE_SCHEMA: schema,
        PG_POOL_SIZE: process.env.PG_POOL_SIZE ?? '10',
        RUN_PROJECTIONS: process.env.RUN_PROJECTIONS ?? 'auto',
      }),
    },
    store: pg ? `PostgreSQL ${pg}` : 'embedded',
    done: async () => {
      if (pg) await dropSchemas([schema, `${schema}_read`]);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Servers of servers.ts, each in its own process, stopped (and their data dropped) after `work`. */
async function withServers<T>(
  kinds: readonly ('bare' | 'bare-pg' | 'api')[],
  work: (servers: Record<string, Server>, store: string, schema: string) => Promise<T>,
): Promise<T> {
  const { env, store, done } = await apiEnv();
  const servers: Record<string, Server> = {};
  try {
    for (const kind of kinds)
      servers[kind] = await startServer(kind, {
        ...env,
        DATABASE_URL: BENCH_DATABASE_URL,
        BARE_PG_RIDERS: String(RIDERS),
      });
    return await work(servers, store, env.DATABASE_SCHEMA ?? '');
  } finally {
    await Promise.all(Object.values(servers).map((server) => server.stop()));
    await done();
  }
}

/** Rounds in which every side runs once in turn (so drift hits all); each side's median round. */
async function alternate<K extends string>(
  rounds: number,
  sides: Record<K, () => Promise<Sample>>,
): Promise<Record<K, Sample>> {
  const runs = Object.fromEntries(Object.keys(sides).map((k) => [k, [] as Sample[]])) as Record<
    K,
    Sample[]
  >;
  for (let r = 0; r < rounds; r++)
    for (const side of Object.keys(sides) as K[]) runs[side].push(await sides[side]());
  const median = (samples: Sample[]) =>
    [...samples].sort((a, b) => a.rate - b.rate)[Math.floor(samples.length / 2)];
  return Object.fromEntries((Object.keys(runs) as K[]).map((k) => [k, median(runs[k])])) as Record<
    K,
    Sample
  >;
}

const HTTP_CONNECTIONS = 32;

/**
 * POST /v1/awards over HTTP (the API in its own process, autocannon) against the ledger's own
 * award rate in-process on the same store (the append-pg subject), and a bare Fastify POST.
 */
export function httpAward(o: BenchOptions): Promise<Row> {
  return withServers(['bare', 'api'], async ({ bare, api }, store) => {
    const callers = await setUp(api.port);
    const body = (i: number) => ({
      riderId: `r${i % RIDERS}`,
      activity: 'patrol',
      fundId: 'f1',
      reason: '夜间巡逻',
      occurredAt: new Date(Date.now() - 3_600_000).toISOString(),
    });
    const load = { seconds: o.seconds, connections: HTTP_CONNECTIONS };
    const bareSide = () =>
      cannon({ port: bare.port, method: 'POST', path: () => '/bare', body }, load);
    const apiSide = () =>
      cannon(
        { port: api.port, method: 'POST', path: () => '/v1/awards', body, headers: callers.staff },
        load,
      );
    const measured = await withPostgres(async ({ store: events }) => {
      const award = await awardsThroughLedger(events);
      const ledger = () => throughput((w) => award(w), { seconds: o.seconds, workers: WRITERS });
      return alternate(o.rounds, { ledger, bare: bareSide, api: apiSide });
    });
    const row = throughputRow(
      'http-award',
      0.5,
      { baseline: measured.ledger, subject: measured.api },
      'req/s',
      `POST /v1/awards as community staff, API in its own process, autocannon ${HTTP_CONNECTIONS} connections, ${RIDERS} riders, ${store}; baseline: the ledger's own awards in-process on the same store (${WRITERS} at once); bare Fastify POST ${round(measured.bare.rate)} req/s, ratio to it ${round(measured.api.rate / measured.bare.rate, 3)}`,
    );
    return row;
  });
}

/** A GET of the API against bare Fastify and bare Fastify + pg, rounds alternating. */
function againstBaselines(o: BenchOptions, bare: Server, barePg: Server, api: Shot) {
  const load = { seconds: o.seconds, connections: HTTP_CONNECTIONS };
  return alternate(o.rounds, {
    bare: () => cannon({ port: bare.port, method: 'GET', path: () => '/bare' }, load),
    barePg: () =>
      cannon({ port: barePg.port, method: 'GET', path: (i) => `/bare-pg/r${i % RIDERS}` }, load),
    api: () => cannon(api, load),
  });
}

/**
 * GET /v1/riders/{id}/balance over HTTP (the API in its own process, autocannon) against a bare
 * Fastify route doing the same indexed SELECT through pg, and a bare Fastify route.
 */
export function httpBalance(o: BenchOptions): Promise<Row> {
  return withServers(['bare', 'bare-pg', 'api'], async (servers, store) => {
    const { bare, api } = servers;
    const barePg = servers['bare-pg'];
    const callers = await setUp(api.port);
    const measured = await againstBaselines(o, bare, barePg, {
      port: api.port,
      method: 'GET',
      path: (i) => `/v1/riders/r${i % RIDERS}/balance`,
      headers: callers.station,
    });
    const row = throughputRow(
      'http-balance',
      0.5,
      { baseline: measured.barePg, subject: measured.api },
      'req/s',
      `GET /v1/riders/{id}/balance as a station of the riders' district, API in its own process, autocannon ${HTTP_CONNECTIONS} connections, ${store}; baseline: bare Fastify + the same indexed SELECT via pg (p99 ${round(measured.barePg.p99Ms ?? 0, 2)} ms); bare Fastify ${round(measured.bare.rate)} req/s, ratio to it ${round(measured.api.rate / measured.bare.rate, 3)} (target 0.25); p99 target 20 ms: ${(measured.api.p99Ms ?? 0) <= 20 ? 'met' : 'NOT met'}`,
    );
    return row;
  });
}

/**
 * The district board of a city of 75,000 riders (rows loaded into the read model directly) over
 * HTTP, the API in its own process, against a bare Fastify route and a bare Fastify + pg SELECT.
 */
export function leaderboard(o: BenchOptions): Promise<Row> {
  return withServers(['bare', 'bare-pg', 'api'], async (servers, store, schema) => {
    const { bare, api } = servers;
    const barePg = servers['bare-pg'];
    await setUp(api.port); // the district must exist for its board to be asked for
    const pool = new Pool({ connectionString: BENCH_DATABASE_URL, max: 1 });
    try {
      await pool.query(
        `insert into ${schema}_read.leaderboard_points (scope, period, rider_id, points, reached_position)
         select 'district:成都市武侯区', '2026', 'cd-r' || g, (g * 7919) % 5000 + 1, g
         from generate_series(1, 75000) g`,
      );
    } finally {
      await pool.end();
    }
    const scope = encodeURIComponent('district:成都市武侯区');
    const measured = await againstBaselines(o, bare, barePg, {
      port: api.port,
      method: 'GET',
      path: () => `/v1/leaderboards?scope=${scope}&period=2026&limit=10`,
      headers: auth,
    });
    return throughputRow(
      'leaderboard',
      0.5,
      { baseline: measured.barePg, subject: measured.api },
      'req/s',
      `GET /v1/leaderboards district of 75,000 riders, top 10, API in its own process, autocannon ${HTTP_CONNECTIONS} connections, ${store}; baseline: bare Fastify + an indexed SELECT via pg; bare Fastify ${round(measured.bare.rate)} req/s, ratio to it ${round(measured.api.rate / measured.bare.rate, 3)}; p99 target 20 ms: ${(measured.api.p99Ms ?? 0) <= 20 ? 'met' : 'NOT met'}`,
    );
  });
}

/** Points of the rule `setUp` makes. */
const POINTS = 10;
/** Clients at once in the read-your-writes row's second part (the first has one). */
const RYW_CLIENTS = 8;

/** `clients` loops of award → balance read with `minPosition` for `seconds`: the reads' and awards' latencies. */
async function awardThenRead(
  port: number,
  callers: Callers,
  clients: number,
  seconds: number,
): Promise<{ waits: number[]; acks: number[] }> {
  const base = `http://127.0.0.1:${port}`;
  const waits: number[] = [];
  const acks: number[] = [];
  const deadline = Date.now() + seconds * 1000;
  let n = 0;
  /** Awards acknowledged per rider: a read begun after them must count them all. */
  const acknowledged = new Map<string, number>();
  await Promise.all(
    Array.from({ length: clients }, async () => {
      while (Date.now() < deadline) {
        const rider = `r${n++ % RIDERS}`;
        let t = performance.now();
        const res = await fetch(`${base}/v1/awards`, {
          method: 'POST',
          headers: { ...callers.staff, 'content-type': 'application/json' },
          body: JSON.stringify({
            riderId: rider,
            activity: 'patrol',
            fundId: 'f1',
            reason: '巡逻',
            occurredAt: new Date(Date.now() - 60_000).toISOString(),
          }),
        });
        if (res.status !== 201) throw new Error(`award: ${res.status} ${await res.text()}`);
        const { position } = (await res.json()) as { position: number };
        acks.push(performance.now() - t);
        acknowledged.set(rider, (acknowledged.get(rider) ?? 0) + 1);
        const owed = (acknowledged.get(rider) ?? 0) * POINTS;
        t = performance.now();
        const read = await fetch(`${base}/v1/riders/${rider}/balance?minPosition=${position}`, {
          headers: callers.station,
        });
        if (read.status !== 200) throw new Error(`read: ${read.status}`);
        const balance = (await read.json()) as { earned: number };
        if (balance.earned < owed)
          throw new Error(`rider ${rider}: earned ${balance.earned}, acknowledged ${owed}`);
        waits.push(performance.now() - t);
      }
    }),
  );
  return { waits, acks };
}

/**
 * Award → balance read with `minPosition`, the API in its own process: how long the read waits
 * for the read model to hold the award. The row is one client, pair after pair (as defined);
 * the notes add RYW_CLIENTS clients at once, which keep the API busy.
 */
export function readYourWrites(o: BenchOptions): Promise<Row> {
  return withServers(['api'], async ({ api }, store) => {
    const callers = await setUp(api.port);
    const seconds = (o.seconds * o.rounds) / 2;
    const { waits, acks } = await awardThenRead(api.port, callers, 1, seconds);
    const busy = await awardThenRead(api.port, callers, RYW_CLIENTS, seconds);
    const p99 = round(percentile(waits, 99), 2);
    return {
      name: 'read-your-writes',
      value: p99,
      unit: 'ms (p99 of the read after a write)',
      baseline: 50,
      ratio: round(50 / Math.max(p99, 0.01), 3),
      target: 1,
      p50Ms: round(percentile(waits, 50), 2),
      p99Ms: p99,
      notes: `${waits.length} award→balance pairs one after another (staff awards, the station reads with minPosition), API in its own process, ${store}; the award itself p50 ${round(percentile(acks, 50), 2)} ms, p99 ${round(percentile(acks, 99), 2)} ms; with ${RYW_CLIENTS} clients at once (${busy.waits.length} pairs): read p50 ${round(percentile(busy.waits, 50), 2)} ms, p99 ${round(percentile(busy.waits, 99), 2)} ms, award p50 ${round(percentile(busy.acks, 50), 2)} ms; ratio = 50 ms ÷ p99`,
    };
  });
}
