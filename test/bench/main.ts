import { Command } from 'commander';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { catchUp, scale } from './catch-up-rows';
import { fundFirstAward, fundMemory } from './fund-rows';
import { httpAward, httpBalance, leaderboard, readYourWrites } from './http-rows';
import { jobs, redisReachable } from './jobs-row';
import { replayInterference } from './replay-row';
import { printSoak, soak, type SoakOptions } from './soak';
import type { BenchOptions, Row } from './measure';
import {
  appendEmbedded,
  appendPg,
  batchAppend,
  portAppendPg,
  postgresReachable,
  verify,
} from './store-rows';

type Needs = 'postgres' | 'redis';
const ROWS: Record<string, { needs: Needs[]; run: (o: Options) => Promise<Row> }> = {
  'append-pg': { needs: ['postgres'], run: appendPg },
  'append-embedded': { needs: [], run: appendEmbedded },
  'batch-append': { needs: ['postgres'], run: batchAppend },
  'port-append-pg': { needs: ['postgres'], run: portAppendPg },
  'read-your-writes': { needs: [], run: readYourWrites },
  // Their baselines need PostgreSQL: the ledger's own award rate, and a SELECT through pg.
  'http-award': { needs: ['postgres'], run: httpAward },
  'http-balance': { needs: ['postgres'], run: httpBalance },
  leaderboard: { needs: ['postgres'], run: leaderboard },
  'replay-interference': { needs: [], run: replayInterference },
  'fund-memory': { needs: [], run: fundMemory },
  'first-award-after-start': { needs: ['postgres'], run: fundFirstAward },
  jobs: { needs: ['redis'], run: jobs },
  verify: { needs: ['postgres'], run: verify },
  'catch-up': { needs: ['postgres'], run: catchUp },
  scale: { needs: ['postgres'], run: scale },
};

interface Options extends BenchOptions {
  verifyEvents: number;
}

const program = new Command()
  .name('bench')
  .description(
    'Benchmark rows as ratios to baselines measured in the same run (../shared/quality.md)',
  )
  .option('--rows <names>', `comma-separated rows (${Object.keys(ROWS).join(', ')})`)
  .option('--seconds <n>', 'seconds per round of each side', Number, 3)
  .option('--rounds <n>', 'rounds (baseline and subject alternate; the median is kept)', Number, 3)
  .option(
    '--events <n>',
    'events of the catch-up row (the scale row also rebuilds a tenth and a hundredth)',
    Number,
    1_000_000,
  )
  .option('--verify-events <n>', 'events the verify row checks', Number, 200_000)
  .option('--soak', 'instead of the rows: a mixed city workload against the API for a bounded time')
  .option('--soak-seconds <n>', 'how long the soak load runs', Number, 300)
  .option('--soak-connections <n>', 'concurrent connections of the soak', Number, 16)
  .option('--soak-workers <n>', 'workers beside the API (with Redis)', Number, 1)
  .option('--riders <n>', 'riders of the soak city', Number, 75_000)
  .option('--stations <n>', 'stations of the soak city', Number, 240)
  .option(
    '--soak-cache-streams <n>',
    'STREAM_CACHE_STREAMS of the soak (full after warm-up, so growth after it is a leak)',
    Number,
    2000,
  )
  .option(
    '--soak-heap-snapshots',
    'heap snapshots of the API and worker after warm-up and at the end',
  )
  .option(
    '--sample-seconds <n>',
    'how often the soak samples memory and projection lag',
    Number,
    5,
  );

async function main(): Promise<void> {
  const options = program.parse().opts<Options & SoakOptions & { rows?: string; soak?: boolean }>();
  if (options.soak) {
    const report = await soak(options);
    printSoak(report, options);
    if (!report.ok) process.exitCode = 1;
    return;
  }
  const wanted = options.rows ? options.rows.split(',').map((r) => r.trim()) : Object.keys(ROWS);
  const unknown = wanted.filter((r) => !(r in ROWS));
  if (unknown.length > 0) {
    console.error(`unknown rows: ${unknown.join(', ')}; rows are ${Object.keys(ROWS).join(', ')}`);
    process.exitCode = 2;
    return;
  }
  const postgres = await postgresReachable();
  const redis = await redisReachable();
  const rows: Row[] = [];
  for (const name of wanted) {
    const row = ROWS[name];
    const missing = row.needs.filter((n) => (n === 'postgres' ? !postgres : !redis));
    if (missing.length > 0) {
      console.error(`${name}: skipped, ${missing.join(' and ')} not reachable`);
      continue;
    }
    process.stderr.write(`${name} …\n`);
    const result = await row.run(options);
    rows.push(result);
    printRow(result);
  }
  const results = {
    machine: { cpus: cpus().length, node: process.version, postgres: postgres ?? null },
    at: new Date().toISOString(),
    rows,
  };
  mkdirSync('bench', { recursive: true });
  writeFileSync('bench/results.json', `${JSON.stringify(results, null, 2)}\n`);
  console.log('\nwritten: bench/results.json');
}

function printRow(r: Row): void {
  const met = r.ratio >= r.target ? 'met' : 'NOT met';
  const latency = r.p99Ms !== undefined ? `  p50 ${r.p50Ms} ms  p99 ${r.p99Ms} ms` : '';
  console.log(
    `${r.name.padEnd(17)} ${String(r.value).padStart(10)} ${r.unit.padEnd(8)} vs ${String(r.baseline).padStart(10)}  ratio ${r.ratio.toFixed(3)} (target ${r.target}: ${met})${latency}${r.notes ? `\n${' '.repeat(18)}${r.notes}` : ''}`,
  );
}

main().then(
  () => process.exit(),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
