import { loadConfig } from '@ledger/ledger';
import { seedDistrict } from '@ledger/seed';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer, type Server } from './cannon';
import { percentile, round, type BenchOptions, type Row } from './measure';

const TOKEN = 'bench-admin-token-0123456789abcdefghijklmnopqrstuv';
const ADMIN = { authorization: `Bearer ${TOKEN}` };
/** Look-ups in flight at once: a few counters of the district asking while the replay runs. */
const PROBES = 4;
const TARGET_P99_MS = 200;

/** Latencies of a station's balance look-ups (and `/health`) from `PROBES` loops until `until` resolves. */
async function probe(
  api: Server,
  station: Record<string, string>,
  riders: readonly string[],
  until: Promise<unknown>,
): Promise<{ lookUps: number[]; health: number[] }> {
  let done = false;
  void until.finally(() => (done = true));
  const lookUps: number[] = [];
  const health: number[] = [];
  const base = `http://127.0.0.1:${api.port}`;
  let n = 0;
  const timed = async (path: string, headers: Record<string, string>, into: number[]) => {
    const t = performance.now();
    const res = await fetch(`${base}${path}`, { headers });
    await res.arrayBuffer();
    if (res.status !== 200) throw new Error(`${path}: ${res.status}`);
    into.push(performance.now() - t);
  };
  await Promise.all(
    Array.from({ length: PROBES }, async (_, loop) => {
      while (!done) {
        const i = n++;
        if (loop === 0 && i % 4 === 0) await timed('/health', {}, health);
        else await timed(`/v1/riders/${riders[i % riders.length]}/balance`, station, lookUps);
      }
    }),
  );
  return { lookUps, health };
}

/**
 * A station's balance look-up while the read models are replayed (POST /v1/audit/replays) on the
 * embedded store with the demo district: the API in its own process, the look-ups from this one.
 * Its baseline is the same look-up with nothing else running, for as long.
 */
export async function replayInterference(o: BenchOptions): Promise<Row> {
  const dir = mkdtempSync(join(tmpdir(), 'bench-replay-'));
  const env = { DATA_DIR: dir, LEDGER_ADMIN_TOKEN: TOKEN, RATE_LIMIT_PER_MINUTE: '0' };
  let api: Server | undefined;
  try {
    const seeded = await seedDistrict(loadConfig(env), { quiet: true });
    const stationToken = seeded.tokens.find((t) => t.role === 'station');
    if (!stationToken) throw new Error('the demo district has no station principal');
    const station = { authorization: `Bearer ${stationToken.token}` };
    api = await startServer('api', env);
    const base = `http://127.0.0.1:${api.port}`;
    const listed = (await (
      await fetch(`${base}/v1/riders?limit=50`, { headers: ADMIN })
    ).json()) as {
      items: { id: string }[];
    };
    const riders = listed.items.map((r) => r.id);
    const quiet = await probe(
      api,
      station,
      riders,
      new Promise((r) => setTimeout(r, o.seconds * 1000)),
    );
    const started = performance.now();
    const queued = await fetch(`${base}/v1/audit/replays`, { method: 'POST', headers: ADMIN });
    if (queued.status !== 202) throw new Error(`replay: ${queued.status} ${await queued.text()}`);
    const { id } = (await queued.json()) as { id: string };
    let report: Record<string, unknown> = {};
    const replayed = (async () => {
      for (;;) {
        await new Promise((r) => setTimeout(r, 200));
        const res = await fetch(`${base}/v1/audit/replays/${id}`, { headers: ADMIN });
        report = (await res.json()) as Record<string, unknown>;
        if (report.status === 'done' || report.status === 'failed') return;
      }
    })();
    const during = await probe(api, station, riders, replayed);
    await replayed;
    if (report.status !== 'done')
      throw new Error(`replay ${String(report.status)}: ${String(report.error)}`);
    const seconds = (performance.now() - started) / 1000;
    const p99 = round(percentile(during.lookUps, 99), 1);
    return {
      name: 'replay-interference',
      value: p99,
      unit: 'ms (look-up p99 during a replay)',
      baseline: TARGET_P99_MS,
      ratio: round(TARGET_P99_MS / Math.max(p99, 0.01), 3),
      target: 1,
      p50Ms: round(percentile(during.lookUps, 50), 1),
      p99Ms: p99,
      notes: `embedded store, the demo district (${seeded.events} events); replay of ${String(report.eventsReplayed)} events and ${String(report.rowsCompared)} rows compared in ${round(seconds, 1)} s, ${String((report.differences as unknown[]).length)} differences; ${during.lookUps.length} station look-ups from ${PROBES} loops during it, max ${round(Math.max(...during.lookUps), 1)} ms; /health p99 ${round(percentile(during.health, 99), 1)} ms; the same look-ups with nothing else running: p50 ${round(percentile(quiet.lookUps, 50), 1)} ms, p99 ${round(percentile(quiet.lookUps, 99), 1)} ms; ratio = ${TARGET_P99_MS} ms ÷ p99`,
    };
  } finally {
    await api?.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}
