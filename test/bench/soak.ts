import { Redis } from 'ioredis';
import { Pool } from 'pg';
import { loadConfig } from '@ledger/ledger';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { Agent } from 'node:http';
import { cpus, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { JIANGJIN, seedDistrict, seedPlan } from '@ledger/seed';
import {
  ADMIN_TOKEN,
  kill,
  replay,
  rssMb,
  startApi,
  startWorker,
  type ApiProcess,
  type AppProcess,
} from '../support/processes';
import { bytesPerAct } from './domain-state';
import { send } from './http-load';
import { jobsRedisUrl, redisReachable } from './jobs-row';
import { percentile, round } from './measure';
import { BENCH_DATABASE_URL, postgresReachable } from './store-rows';

export interface SoakOptions {
  /** How long the load runs. */
  readonly soakSeconds: number;
  /** Concurrent keep-alive connections, each a loop of requests (a closed loop). */
  readonly soakConnections: number;
  readonly riders: number;
  readonly stations: number;
  /** Resource samples (memory, projection lag, throughput) are taken this often. */
  readonly sampleSeconds: number;
  /**
   * STREAM_CACHE_STREAMS of the API and the worker: small enough that the writer's cache of folded
   * states is full after warm-up, so that growth after it is a leak, not a bounded cache filling.
   */
  readonly soakCacheStreams: number;
  /** Heap snapshots of the API and the worker after warm-up and at the end, in bench/heap/. */
  readonly soakHeapSnapshots?: boolean;
  /** Workers beside the API (with Redis): they split the projections (issue 11). */
  readonly soakWorkers?: number;
}

/** Hard bounds on top of the time: no run sends more than this many requests. */
const MAX_REQUESTS = 5_000_000;
/** The first part of the run is warm-up (caches fill, JIT settles); memory is judged after it. */
const WARM_UP_SHARE = 0.2;
/**
 * Memory is flat when the live heap grows less than this over the second half of the run, beyond
 * what the acts it served explain (the funds' and stations' records, domain-state.ts).
 */
const FLAT_SLOPE_MB_PER_MIN = 0.5;
/** Redis database of the soak's own queue (kept apart from the machine's other users). */
const SOAK_REDIS_DB = 11;

/**
 * The mix of a city's day, by weight: stations and riders look up balances far more often than
 * anything else (every redemption starts with one, riders check after each activity); awards
 * come in as staff enter the day's patrols and civility work; boards and histories are read in
 * the app; redemptions are the station counter.
 */
const MIX: [Route, number][] = [
  ['balance', 40],
  ['award', 30],
  ['ledger', 10],
  ['leaderboard', 10],
  ['redemption', 10],
];
type Route = 'balance' | 'award' | 'ledger' | 'leaderboard' | 'redemption';

const ACTIVITIES = ['patrol', 'civility_persuasion', 'grid_duty', 'community_activity'] as const;
const WATER_POINTS = 20;

interface Sample {
  /** Seconds since the load began. */
  t: number;
  apiRssMb: number;
  workerRssMb: number | null;
  /** Events the slowest projection still had to apply (from /health, counted up to 10,000). */
  projectionLag: number | null;
  requests: number;
  errors: number;
}

interface RouteStats {
  count: number;
  ok: number;
  /** 201 Created: an award or a redemption made (what the funds' and stations' states record). */
  created: number;
  /** Domain refusals the rules make (a daily cap, a balance spent meanwhile): 409 and 422. */
  refused: number;
  /** Everything else: 4xx that should not happen, 5xx, broken connections. */
  errors: number;
  latencies: number[];
  errorSamples: string[];
}

export interface SoakReport {
  deployment: string;
  seededIn: number;
  seconds: number;
  requests: number;
  throughput: number;
  routes: Record<
    string,
    {
      count: number;
      rate: number;
      p50Ms: number;
      p99Ms: number;
      created: number;
      refused: number;
      errors: number;
      errorSamples: string[];
    }
  >;
  /** Resident memory of each process, from outside (follows V8's heap sizing too). */
  memory: Trend[];
  /** Live heap of each process after a full collection, from inside: what a leak moves. */
  liveHeap: Trend[];
  /** Every reading of the probes: heap, external memory and buffers besides resident memory. */
  probes: Probe[];
  /** What a fund keeps per award and a station per redemption, measured in the bench process. */
  bytesPerAct: { award: number; redemption: number };
  lag: { max: number | null; mean: number | null; drainedInMs: number | null };
  /** Rows a rebuild of every read model found different from the live ones after the load. */
  replayDifferences: number | null;
  samples: Sample[];
  ok: boolean;
}

/** One reading of memory-probe.ts inside a process, after a full collection (MB). */
interface ProbeSample {
  t: number;
  liveHeapMb: number;
  heapTotalMb: number;
  externalMb: number;
  arrayBuffersMb: number;
  rssMb: number;
}

interface Probe {
  process: string;
  samples: ProbeSample[];
}

interface Trend {
  process: string;
  warmMb: number;
  endMb: number;
  maxMb: number;
  /** Least-squares slope after warm-up, and over the second half of the run alone. */
  slopeMbPerMin: number;
  lastHalfSlopeMbPerMin: number;
  /** What the acts the process served explain of that (funds' and stations' records). */
  explainedMbPerMin: number;
  flat: boolean;
}

/**
 * `npm run bench -- --soak`: a Chengdu-sized city (75,000 riders, 240 stations) seeded through the
 * ledger, then a mixed workload against the API over HTTP on 127.0.0.1 for a bounded time, with the
 * API (and the worker, with Redis) as their own processes so their memory is their own.
 */
export async function soak(o: SoakOptions): Promise<SoakReport> {
  const pg = await postgresReachable();
  const redis = pg ? await redisReachable() : false;
  const dir = mkdtempSync(join(tmpdir(), 'soak-'));
  const schema = `soak_${Date.now().toString(36)}`;
  const env: Record<string, string> = {
    DATA_DIR: dir,
    LEDGER_ADMIN_TOKEN: ADMIN_TOKEN,
    STREAM_CACHE_STREAMS: String(o.soakCacheStreams),
    ...(pg && {
      EVENT_STORE: 'postgres',
      DATABASE_URL: BENCH_DATABASE_URL,
      DATABASE_SCHEMA: schema,
    }),
    ...(redis && { REDIS_URL: jobsRedisUrl(SOAK_REDIS_DB) }),
  };
  if (redis) await flushRedis(env.REDIS_URL);
  const deployment = pg
    ? `PostgreSQL ${pg}${redis ? ', Redis: API and worker processes' : ', no Redis: projections in the API'}`
    : 'embedded store, one API process';
  const apps: AppProcess[] = [];
  try {
    process.stderr.write(
      `soak: seeding ${o.riders.toLocaleString('en')} riders, ${o.stations} stations (${deployment})\n`,
    );
    const seeded = Date.now();
    const summary = await seedDistrict(loadConfig(env), {
      scale: 10,
      riders: o.riders,
      stations: o.stations,
      awardsPerRider: 0,
    });
    const seededIn = round((Date.now() - seeded) / 1000);
    const run = await runCity(o, env, redis, dir, apps, summary.tokens, seededIn);
    return { deployment, seededIn, ...judged(run, dir) };
  } finally {
    await Promise.all(apps.map((app) => kill(app, 'SIGTERM')));
    if (pg) await dropSchemas([schema, `${schema}_read`]);
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * Starts the API (and the worker) with the in-process memory probe, drives the city's load, and
 * fails the soak at once when a process dies. `apps` collects the processes for the caller to end.
 */
async function runCity(
  o: SoakOptions,
  env: Record<string, string>,
  redis: boolean,
  dir: string,
  apps: AppProcess[],
  tokens: readonly { id: string; role: string; token: string }[],
  seededIn: number,
) {
  // The live heap of each process, measured inside it after a full collection (memory-probe.ts).
  const snapshots = resolve('bench', 'heap');
  if (o.soakHeapSnapshots) mkdirSync(snapshots, { recursive: true });
  const probe = (name: string) => ({
    NODE_OPTIONS: `--expose-gc --require ${join(__dirname, 'memory-probe.js')}${o.soakHeapSnapshots ? ` --heapsnapshot-signal=SIGUSR2 --diagnostic-dir=${snapshots}` : ''}`,
    SOAK_MEMORY_FILE: join(dir, `${name}-memory.ndjson`),
    SOAK_MEMORY_EVERY_MS: String(o.sampleSeconds * 1000),
  });
  const api = await startApi({ ...env, ...probe('api'), RATE_LIMIT_PER_MINUTE: '0' });
  apps.push(api);
  const worker = redis ? await startWorker({ ...env, ...probe('worker') }) : undefined;
  if (worker) apps.push(worker);
  // More workers split the projections with the first (no memory probe: the first one's stands).
  const more = redis
    ? await Promise.all(
        Array.from({ length: Math.max(0, (o.soakWorkers ?? 1) - 1) }, () => startWorker(env)),
      )
    : [];
  apps.push(...more);
  const city = new City(api, tokens, o.riders, o.stations);
  await city.restock();
  // A process that dies ends the load at once and fails the soak with its last words.
  const named: [string, AppProcess][] = [['api', api]];
  if (worker) named.push(['worker', worker]);
  more.forEach((w, i) => named.push([`worker-${i + 2}`, w]));
  const dead = () => named.find(([, app]) => exited(app));
  process.stderr.write(
    `soak: seeded in ${seededIn} s; load for ${o.soakSeconds} s over ${o.soakConnections} connections\n`,
  );
  const running = apps.slice();
  const warm = o.soakHeapSnapshots
    ? setTimeout(() => void heapSnapshots(running, snapshots), o.soakSeconds * 1000 * WARM_UP_SHARE)
    : undefined;
  const run = await city.load(
    o,
    () => ({ api: rssMb(api), worker: worker ? rssMb(worker) : null }),
    () => dead() !== undefined,
  );
  clearTimeout(warm);
  if (o.soakHeapSnapshots && !dead()) await heapSnapshots(running, snapshots);
  const died = dead();
  if (died) {
    const [name, app] = died;
    throw new Error(
      `the ${name} exited during the soak (code ${app.child.exitCode}, signal ${app.child.signalCode}); its last output:\n${app.output().slice(-3000)}`,
    );
  }
  // The read models after the load, rebuilt from the log and compared row by row.
  const replayed = dead() ? undefined : await replay(api, 600_000);
  const differences = replayed?.differences;
  return {
    ...run,
    replayDifferences: Array.isArray(differences) ? differences.length : null,
    processes: worker ? ['api', 'worker'] : ['api'],
  };
}

/**
 * The live heap of each process over the run, judged beyond what the acts it served explain: the
 * API's fund and station states keep a record of every award and redemption it made.
 */
function judged(run: Awaited<ReturnType<typeof runCity>>, dir: string) {
  const { processes, ...figures } = run;
  const probes = processes.map((name) =>
    probeSamples(name, join(dir, `${name}-memory.ndjson`), run.startedAt, run.seconds),
  );
  const perAct = bytesPerAct();
  const made = (route: string) => run.routes[route]?.created ?? 0;
  const explained =
    ((made('award') * perAct.award + made('redemption') * perAct.redemption) / 1e6) *
    (60 / run.seconds);
  const heaps = probes.map((p) =>
    trend(
      p.process,
      p.samples.map((x) => [x.t, x.liveHeapMb]),
      run.seconds,
      p.process === 'api' ? explained : 0,
    ),
  );
  return {
    ...figures,
    liveHeap: heaps,
    bytesPerAct: perAct,
    probes,
    ok: run.errors === 0 && heaps.every((h) => h.flat) && run.replayDifferences === 0,
  };
}

/** The seeded city as the load generator sees it: who may do what, and who has points to spend. */
class City {
  private readonly agent = new Agent({ keepAlive: true, maxSockets: 256 });
  private readonly riderIds: string[];
  private readonly staffTokenOf: string[];
  private readonly stationIds: string[];
  private readonly stationToken = new Map<string, string>();
  /** Riders known to hold at least a bottle of water's worth of points, with their balance. */
  private readonly spendable = new Map<string, number>();
  private readonly port: number;
  private readonly year = new Intl.DateTimeFormat('en', {
    timeZone: 'Asia/Shanghai',
    year: 'numeric',
  }).format(new Date());

  constructor(
    api: ApiProcess,
    tokens: readonly { id: string; role: string; token: string }[],
    riders: number,
    stations: number,
  ) {
    this.port = Number(new URL(api.url).port);
    const plan = seedPlan(10, 2026, 0, { riders, stations });
    const token = new Map(tokens.map((t) => [t.id, t.token]));
    const streetIndex = new Map(
      plan.communities.map((c) => [c.id, JIANGJIN.streets.indexOf(c.street)]),
    );
    this.riderIds = plan.riders.map((r) => r.id);
    this.staffTokenOf = plan.riders.map(
      (r) => token.get(`staff-s${(streetIndex.get(r.communityId) ?? 0) + 1}`) ?? ADMIN_TOKEN,
    );
    this.stationIds = plan.stations.map((s) => s.id);
    for (const s of plan.stations)
      this.stationToken.set(s.id, token.get(`station-${s.id}`) ?? ADMIN_TOKEN);
  }

  /** Enough water at every station, and budget in the fund, that neither runs dry during the run. */
  async restock(): Promise<void> {
    for (let i = 0; i < 20; i++) {
      const topUp = await this.call('POST', '/v1/funds/jiangjin-2026/top-ups', ADMIN_TOKEN, {
        points: 1_000_000,
        reason: '压力测试追加预算',
      });
      if (topUp.status >= 300) throw new Error(`top-up: ${topUp.status} ${topUp.text}`);
    }
    for (const id of this.stationIds) {
      const res = await this.call('POST', `/v1/stations/${id}/items/water/restock`, ADMIN_TOKEN, {
        quantity: 100_000,
      });
      if (res.status !== 200) throw new Error(`restock ${id}: ${res.status} ${res.text}`);
    }
  }

  async load(
    o: SoakOptions,
    memory: () => { api: number; worker: number | null },
    stopped: () => boolean,
  ) {
    const stats = new Map<Route, RouteStats>(
      MIX.map(([route]) => [
        route,
        { count: 0, ok: 0, created: 0, refused: 0, errors: 0, latencies: [], errorSamples: [] },
      ]),
    );
    const samples: Sample[] = [];
    const started = Date.now();
    const interval = { requests: 0, errors: 0 };
    const sampler = setInterval(() => {
      if (stopped()) return;
      void this.health().then((lag) => {
        if (stopped()) return;
        const m = memory();
        const t = round((Date.now() - started) / 1000);
        samples.push({
          t,
          apiRssMb: m.api,
          workerRssMb: m.worker,
          projectionLag: lag,
          ...interval,
        });
        Object.assign(interval, { requests: 0, errors: 0 });
      });
    }, o.sampleSeconds * 1000);
    await this.drive(o, stats, interval, started + o.soakSeconds * 1000, stopped);
    const seconds = (Date.now() - started) / 1000;
    clearInterval(sampler);
    const drainedInMs = await this.drained(stopped);
    this.agent.destroy();
    const figures = report(stats, samples, seconds);
    return { ...figures, lag: { ...figures.lag, drainedInMs }, startedAt: started };
  }

  /** `soakConnections` loops sending the mix until the deadline, counting every answer. */
  private async drive(
    o: SoakOptions,
    stats: Map<Route, RouteStats>,
    interval: { requests: number; errors: number },
    deadline: number,
    stopped: () => boolean,
  ): Promise<void> {
    let sent = 0;
    let i = 0;
    await Promise.all(
      Array.from({ length: o.soakConnections }, async () => {
        while (Date.now() < deadline && sent < MAX_REQUESTS && !stopped()) {
          sent++;
          const route = pick(MIX, i++);
          const t = performance.now();
          const outcome = await this.one(route).catch((e: unknown) => ({
            status: 0,
            text: String(e),
          }));
          const s = stats.get(route) as RouteStats;
          s.count++;
          s.latencies.push(performance.now() - t);
          interval.requests++;
          if (outcome.status === 201) s.created++;
          if (outcome.status >= 200 && outcome.status < 300) s.ok++;
          else if (outcome.status === 409 || outcome.status === 422) s.refused++;
          else {
            s.errors++;
            interval.errors++;
            if (s.errorSamples.length < 5)
              s.errorSamples.push(`${outcome.status} ${outcome.text.slice(0, 200)}`);
          }
        }
      }),
    );
  }

  /** After the load: how long the read models take to apply what is left (null: not in 60 s). */
  private async drained(stopped: () => boolean): Promise<number | null> {
    const drainStart = Date.now();
    for (let wait = 0; wait < 600 && !stopped(); wait++) {
      if ((await this.health()) === 0) return Date.now() - drainStart;
      await new Promise((r) => setTimeout(r, 100));
    }
    return null;
  }

  private one(route: Route): Promise<{ status: number; text: string }> {
    const n = Math.floor(Math.random() * this.riderIds.length);
    const riderId = this.riderIds[n];
    const station = this.stationIds[Math.floor(Math.random() * this.stationIds.length)];
    switch (route) {
      case 'balance':
        return this.call(
          'GET',
          `/v1/riders/${riderId}/balance`,
          this.stationToken.get(station) ?? ADMIN_TOKEN,
        );
      case 'ledger':
        return this.call('GET', `/v1/riders/${riderId}/ledger?limit=20`, ADMIN_TOKEN);
      case 'leaderboard':
        return this.call(
          'GET',
          `/v1/leaderboards?scope=${encodeURIComponent(`district:${JIANGJIN.district}`)}&period=${this.year}&limit=10`,
          ADMIN_TOKEN,
        );
      case 'award':
        return this.award(riderId, this.staffTokenOf[n]);
      case 'redemption':
        return this.redeem(station);
    }
  }

  private async award(riderId: string, token: string) {
    const answer = await this.call('POST', '/v1/awards', token, {
      riderId,
      activity: ACTIVITIES[Math.floor(Math.random() * ACTIVITIES.length)],
      fundId: 'jiangjin-2026',
      reason: '志愿服务',
      occurredAt: new Date(Date.now() - Math.floor(Math.random() * 3_600_000)).toISOString(),
    });
    if (answer.status === 201)
      this.noteBalance(riderId, (JSON.parse(answer.text) as { balanceAfter: number }).balanceAfter);
    return answer;
  }

  private async redeem(stationId: string) {
    const [riderId] = this.spendable.keys();
    if (riderId === undefined)
      return this.call('GET', `/v1/stations/${stationId}/items`, ADMIN_TOKEN);
    this.spendable.delete(riderId); // one counter at a time per rider
    const answer = await this.call(
      'POST',
      '/v1/redemptions',
      this.stationToken.get(stationId) ?? ADMIN_TOKEN,
      {
        riderId,
        stationId,
        items: [{ sku: 'water', quantity: 1 }],
      },
    );
    if (answer.status === 201)
      this.noteBalance(riderId, (JSON.parse(answer.text) as { balanceAfter: number }).balanceAfter);
    return answer;
  }

  private noteBalance(riderId: string, balance: number): void {
    if (balance >= WATER_POINTS) this.spendable.set(riderId, balance);
    else this.spendable.delete(riderId);
  }

  private async health(): Promise<number | null> {
    const answer = await send(this.agent, this.port, 'GET', '/health').catch(() => undefined);
    if (!answer) return null;
    return (JSON.parse(answer.text) as { projectionLag: number | null }).projectionLag;
  }

  private call(method: string, path: string, token: string, body?: unknown) {
    return send(this.agent, this.port, method, path, {
      headers: { authorization: `Bearer ${token}` },
      body,
    });
  }
}

/**
 * Asks each process for a heap snapshot (`--heapsnapshot-signal`) and waits until every file is
 * written whole (its size stops changing), up to two minutes. Compare two in Chrome DevTools.
 */
async function heapSnapshots(apps: AppProcess[], dir: string): Promise<void> {
  const files = (pid: number | undefined) =>
    readdirSync(dir).filter((f) => f.includes(`.${pid}.`) && f.endsWith('.heapsnapshot'));
  const before = apps.map((app) => files(app.child.pid).length);
  for (const app of apps) app.child.kill('SIGUSR2');
  const sizes = new Map<string, number>();
  for (const deadline = Date.now() + 120_000; Date.now() < deadline;) {
    await new Promise((r) => setTimeout(r, 500));
    const written = apps.map((app, i) => files(app.child.pid).length > before[i]);
    const now = apps.flatMap((app) => files(app.child.pid)).map((f) => join(dir, f));
    const stable = now.every((f) => statSync(f).size > 0 && sizes.get(f) === statSync(f).size);
    for (const f of now) sizes.set(f, statSync(f).size);
    if (written.every(Boolean) && stable) {
      process.stderr.write(`soak: heap snapshots in ${dir}\n`);
      return;
    }
  }
  process.stderr.write('soak: heap snapshots not written within two minutes\n');
}

function exited(app: AppProcess): boolean {
  return app.child.exitCode !== null || app.child.signalCode !== null;
}

/** A weighted choice, spread evenly (request i of every 100 takes its share of the mix). */

function pick<T>(mix: readonly [T, number][], i: number): T {
  const total = mix.reduce((s, [, w]) => s + w, 0);
  let r = ((i * 37) % total) + 0.5;
  for (const [item, w] of mix) if ((r -= w) < 0) return item;
  return mix[mix.length - 1][0];
}

/**
 * Memory over the run: the least-squares slope after warm-up (the first 20 %) and over the second
 * half alone. A bounded cache that fills makes the first steep and the second flat; a leak keeps
 * both the same. Flat: the second half grows less than 0.5 MB a minute beyond `explainedMbPerMin`,
 * what the acts served add to the states that keep a record of each.
 */
function trend(
  name: string,
  points: [number, number][],
  seconds: number,
  explainedMbPerMin = 0,
): Trend {
  const after = (from: number) => points.filter(([t]) => t >= seconds * from);
  const judged = after(WARM_UP_SHARE);
  const lastHalf = after(0.5);
  return {
    process: name,
    warmMb: judged[0]?.[1] ?? 0,
    endMb: points[points.length - 1]?.[1] ?? 0,
    maxMb: Math.max(0, ...points.map(([, m]) => m)),
    slopeMbPerMin: round(slope(judged) * 60, 2),
    lastHalfSlopeMbPerMin: round(slope(lastHalf) * 60, 2),
    explainedMbPerMin: round(explainedMbPerMin, 2),
    flat: lastHalf.length >= 3 && slope(lastHalf) * 60 - explainedMbPerMin < FLAT_SLOPE_MB_PER_MIN,
  };
}

/** MB per second, least squares. */
function slope(points: [number, number][]): number {
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);
  const mt = mean(points.map(([t]) => t));
  const mm = mean(points.map(([, m]) => m));
  const cov = points.reduce((s, [t, m]) => s + (t - mt) * (m - mm), 0);
  const vt = points.reduce((s, [t]) => s + (t - mt) ** 2, 0);
  return vt > 0 ? cov / vt : 0;
}

/** What a process's memory probe wrote during the load, `t` in seconds since the load began. */
function probeSamples(name: string, file: string, startedAt: number, seconds: number): Probe {
  const samples = (existsSync(file) ? readFileSync(file, 'utf8') : '')
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as Omit<ProbeSample, 't'> & { at: number })
    .map(({ at, ...sample }) => ({ t: round((at - startedAt) / 1000), ...sample }))
    .filter(({ t }) => t >= 0 && t <= seconds);
  return { process: name, samples };
}

async function flushRedis(url: string): Promise<void> {
  const redis = new Redis(url);
  try {
    await redis.flushdb();
  } finally {
    redis.disconnect();
  }
}

async function dropSchemas(schemas: string[]): Promise<void> {
  const pool = new Pool({ connectionString: BENCH_DATABASE_URL, max: 1 });
  try {
    for (const schema of schemas) await pool.query(`drop schema if exists ${schema} cascade`);
  } finally {
    await pool.end();
  }
}

/** Prints the report and writes bench/soak.json. */
export function printSoak(report: SoakReport, o: SoakOptions): void {
  const line = (cells: (string | number)[], widths: number[]) =>
    cells.map((c, i) => String(c).padStart(widths[i])).join('  ');
  const widths = [12, 9, 8, 9, 9, 8, 7];
  console.log(
    `\nsoak: ${report.deployment}; ${o.riders.toLocaleString('en')} riders, ${o.stations} stations; ${report.seconds} s over ${o.soakConnections} connections (seeded in ${report.seededIn} s); stream cache ${o.soakCacheStreams.toLocaleString('en')} streams`,
  );
  console.log(
    line(['route', 'requests', 'req/s', 'p50 ms', 'p99 ms', 'refused', 'errors'], widths),
  );
  for (const [route, r] of Object.entries(report.routes))
    console.log(line([route, r.count, r.rate, r.p50Ms, r.p99Ms, r.refused, r.errors], widths));
  console.log(
    line(
      [
        'all',
        report.requests,
        report.throughput,
        '',
        '',
        '',
        Object.values(report.routes).reduce((s, r) => s + r.errors, 0),
      ],
      widths,
    ),
  );
  for (const [route, r] of Object.entries(report.routes))
    for (const e of r.errorSamples) console.log(`  ${route} error: ${e}`);
  const trendLine = (what: string, m: Trend, verdict: boolean) =>
    console.log(
      `${what} ${m.process}: ${m.warmMb} MB after warm-up, ${m.endMb} MB at the end, max ${m.maxMb} MB; slope ${m.slopeMbPerMin} MB/min after warm-up, ${m.lastHalfSlopeMbPerMin} MB/min over the second half${m.explainedMbPerMin > 0 ? `, of which the acts' records explain ${m.explainedMbPerMin}` : ''}${verdict ? `: ${m.flat ? 'flat' : 'NOT flat'}` : ''}`,
    );
  console.log(
    `records kept per act (measured here): ${report.bytesPerAct.award} bytes an award (its fund), ${report.bytesPerAct.redemption} bytes a redemption (its station); made: ${report.routes.award?.created ?? 0} awards, ${report.routes.redemption?.created ?? 0} redemptions`,
  );
  for (const m of report.liveHeap) trendLine('live heap', m, true);
  for (const m of report.memory) trendLine('resident memory', m, false);
  for (const p of report.probes) {
    const at = (share: number) =>
      p.samples.find((x) => x.t >= report.seconds * share) ?? p.samples[p.samples.length - 1];
    const [warm, end] = [at(WARM_UP_SHARE), at(1)];
    if (warm && end)
      console.log(
        `heap and buffers ${p.process} (warm-up → end): V8 heap ${warm.heapTotalMb} → ${end.heapTotalMb} MB, external ${warm.externalMb} → ${end.externalMb} MB, array buffers ${warm.arrayBuffersMb} → ${end.arrayBuffersMb} MB`,
      );
  }
  console.log(
    `projection lag: max ${report.lag.max ?? '-'} events, mean ${report.lag.mean ?? '-'}; drained ${report.lag.drainedInMs ?? '-'} ms after the load stopped; ${o.soakWorkers ?? 1} worker(s); a replay after it found ${report.replayDifferences ?? '-'} differing rows`,
  );
  console.log(
    `memory and lag over time (every ${o.sampleSeconds} s): ${report.samples.map((s) => `${s.t}s ${s.apiRssMb}MB${s.workerRssMb !== null ? `/${s.workerRssMb}MB` : ''} lag ${s.projectionLag ?? '-'}`).join('; ')}`,
  );
  mkdirSync('bench', { recursive: true });
  writeFileSync(
    'bench/soak.json',
    `${JSON.stringify({ machine: { cpus: cpus().length, node: process.version }, at: new Date().toISOString(), options: o, ...report }, null, 2)}\n`,
  );
  console.log(
    `\nwritten: bench/soak.json — ${report.ok ? 'no errors, memory flat, read models equal a rebuild' : 'NOT ok: see errors and memory above'}`,
  );
}

/** Per-route figures, memory trends and projection lag of a run. */
function report(stats: Map<Route, RouteStats>, samples: Sample[], seconds: number) {
  const routes: SoakReport['routes'] = {};
  let requests = 0;
  let errors = 0;
  for (const [route, s] of stats) {
    requests += s.count;
    errors += s.errors;
    routes[route] = {
      count: s.count,
      rate: round(s.count / seconds),
      p50Ms: round(percentile(s.latencies, 50), 2),
      p99Ms: round(percentile(s.latencies, 99), 2),
      created: s.created,
      refused: s.refused,
      errors: s.errors,
      errorSamples: s.errorSamples,
    };
  }
  const memory = [
    trend(
      'api',
      samples.map((x) => [x.t, x.apiRssMb]),
      seconds,
    ),
  ];
  if (samples.some((x) => x.workerRssMb !== null))
    memory.push(
      trend(
        'worker',
        samples.map((x) => [x.t, x.workerRssMb ?? 0]),
        seconds,
      ),
    );
  const lags = samples.map((x) => x.projectionLag).filter((x): x is number => x !== null);
  return {
    seconds: round(seconds),
    requests,
    throughput: round(requests / seconds),
    routes,
    memory,
    lag: {
      max: lags.length ? Math.max(...lags) : null,
      mean: lags.length ? round(lags.reduce((a, b) => a + b, 0) / lags.length) : null,
    },
    samples,
    errors,
  };
}
