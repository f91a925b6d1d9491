import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Pool } from 'pg';
import { loadConfig } from '@ledger/ledger';
import { seedDistrict } from '@ledger/seed';
import { median, round, type BenchOptions, type Row } from './measure';
import { BENCH_DATABASE_URL } from './store-rows';

/** Bump when the generator or the events it writes change: older kept logs are then made anew. */
const LOG_VERSION = 4;
/** quality.md: memory flat while rebuilding, under this. */
const RSS_BAR_MB = 512;

interface Rebuild {
  events: number;
  ms: number;
  peakRssMb: number;
}

/**
 * A Chengdu-shaped log of about `events` events in a PostgreSQL schema of its own, made through
 * the ledger's handlers (registrations, awards on one fund, badges, redemptions at stations;
 * about 13 events per rider) and kept between runs, since making a million takes minutes.
 */
async function cityLog(events: number): Promise<{ schema: string; events: number }> {
  const schema = `bench_log_v${LOG_VERSION}_${events}`;
  const pool = new Pool({ connectionString: BENCH_DATABASE_URL, max: 1 });
  try {
    const kept = await pool
      .query<{ events: string }>(`select events from ${schema}.bench_log`)
      .then((r) => Number(r.rows[0]?.events ?? 0))
      .catch(() => 0);
    if (kept > 0) return { schema, events: kept };
    for (const s of [schema, `${schema}_read`])
      await pool.query(`drop schema if exists ${s} cascade`);
    const riders = Math.max(50, Math.round(events / 13));
    process.stderr.write(
      `catch-up: making a city log of about ${events.toLocaleString('en')} events (${riders.toLocaleString('en')} riders), once; kept in schema ${schema}\n`,
    );
    const dir = mkdtempSync(join(tmpdir(), 'bench-log-'));
    try {
      const summary = await seedDistrict(
        loadConfig({
          EVENT_STORE: 'postgres',
          DATABASE_URL: BENCH_DATABASE_URL,
          DATABASE_SCHEMA: schema,
          DATA_DIR: dir,
        }),
        {
          scale: Math.max(0.1, (10 * riders) / 75_000),
          riders,
          stations: Math.max(3, Math.round((240 * riders) / 75_000)),
          awardsPerRider: 8,
          readModels: false,
        },
      );
      await pool.query(`create table ${schema}.bench_log (events bigint not null)`);
      await pool.query(`insert into ${schema}.bench_log values ($1)`, [summary.events]);
      return { schema, events: summary.events };
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  } finally {
    await pool.end();
  }
}

/** The baseline: the events table read in order, 5,000 rows a page, every column parsed. */
async function rawRead(schema: string): Promise<{ events: number; ms: number }> {
  const pool = new Pool({ connectionString: BENCH_DATABASE_URL, max: 1 });
  try {
    const started = performance.now();
    let after = '0';
    let events = 0;
    for (;;) {
      const { rows } = await pool.query<{ global_position: string }>(
        `select global_position, stream_name, stream_revision, event_type, schema_version, data, metadata, recorded_at
         from ${schema}.events where global_position > $1 order by global_position limit 5000`,
        [after],
      );
      if (rows.length === 0) break;
      events += rows.length;
      after = rows[rows.length - 1].global_position;
    }
    return { events, ms: performance.now() - started };
  } finally {
    await pool.end();
  }
}

const rebuilt = new Map<number, Promise<Rebuild>>();

/** Every projection rebuilt from the log of about `size` events, in a child process (once per run). */
function rebuildOf(size: number): Promise<Rebuild> {
  let result = rebuilt.get(size);
  if (!result) {
    result = cityLog(size).then(({ schema }) => rebuildInChild(schema));
    rebuilt.set(size, result);
  }
  return result;
}

async function rebuildInChild(schema: string): Promise<Rebuild> {
  const readSchema = `${schema}_rebuild`;
  const pool = new Pool({ connectionString: BENCH_DATABASE_URL, max: 1 });
  try {
    await pool.query(`drop schema if exists ${readSchema} cascade`);
    const out = await new Promise<string>((resolve, reject) =>
      execFile(
        process.execPath,
        [join(__dirname, 'catch-up-child.js')],
        {
          env: {
            ...process.env,
            DATABASE_URL: BENCH_DATABASE_URL,
            BENCH_LOG_SCHEMA: schema,
            BENCH_READ_SCHEMA: readSchema,
          },
          timeout: 30 * 60_000,
        },
        (error, stdout, stderr) =>
          error ? reject(new Error(`${error.message}\n${stderr}`)) : resolve(stdout),
      ),
    );
    return JSON.parse(out.trim().split('\n').pop() ?? '{}') as Rebuild;
  } finally {
    await pool.query(`drop schema if exists ${readSchema} cascade`);
    await pool.end();
  }
}

/**
 * catch-up: every read model rebuilt from a Chengdu-sized log (`--events`, 1,000,000) against a
 * raw sequential read of the same events table (median of `--rounds` reads); one rebuild, in a
 * process of its own so that its peak resident memory is measured alone.
 */
export async function catchUp(o: BenchOptions): Promise<Row> {
  const { schema, events } = await cityLog(o.events);
  const reads: number[] = [];
  for (let i = 0; i < o.rounds; i++) {
    const read = await rawRead(schema);
    reads.push(read.events / (read.ms / 1000));
  }
  const rebuild = await rebuildOf(o.events);
  const value = round(rebuild.events / (rebuild.ms / 1000));
  const baseline = round(median(reads));
  return {
    name: 'catch-up',
    value,
    unit: 'events/s',
    baseline,
    ratio: round(value / baseline, 3),
    target: 0.3,
    notes: `${events.toLocaleString('en')} events rebuilt into every read model in ${round(rebuild.ms / 1000)} s; peak RSS ${rebuild.peakRssMb} MB (bar ${RSS_BAR_MB} MB: ${rebuild.peakRssMb < RSS_BAR_MB ? 'met' : 'NOT met'}); baseline: the events table read in order, 5,000 a page`,
  };
}

/**
 * scale: the catch-up at a hundredth, a tenth and all of `--events`; the time per event may grow
 * by at most 1.2× per decade. value = the worse decade's growth; ratio = 1.2 ÷ value (≥ 1 is met).
 */
export async function scale(o: BenchOptions): Promise<Row> {
  const sizes = [o.events / 100, o.events / 10, o.events].map(Math.round);
  const runs: Rebuild[] = [];
  for (const size of sizes) runs.push(await rebuildOf(size));
  const perEvent = runs.map((r) => r.ms / r.events);
  const growth = Math.max(perEvent[1] / perEvent[0], perEvent[2] / perEvent[1]);
  return {
    name: 'scale',
    value: round(growth, 3),
    unit: 'growth of time per event per decade',
    baseline: 1.2,
    ratio: round(1.2 / growth, 3),
    target: 1,
    notes: runs
      .map(
        (r) =>
          `${r.events.toLocaleString('en')} events: ${round(r.ms / r.events, 4)} ms each, peak RSS ${r.peakRssMb} MB`,
      )
      .join('; '),
  };
}
