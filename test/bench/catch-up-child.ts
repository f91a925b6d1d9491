/**
 * The catch-up row's subject, in a process of its own so that its resident memory is the
 * rebuild's alone: every projection rebuilt from position 0 of the log in `BENCH_LOG_SCHEMA` into
 * a fresh read schema. Prints one JSON line: events applied, milliseconds, peak resident memory.
 * `BENCH_PROJECTIONS` (names, comma-separated) rebuilds only those: what one projection costs.
 */
import { openStorage } from '@ledger/event-store';
import { PROJECTIONS, ReadModels } from '@ledger/projections';

async function main(): Promise<void> {
  const schema = required('BENCH_LOG_SCHEMA');
  const readSchema = required('BENCH_READ_SCHEMA');
  let peak = process.memoryUsage().rss;
  const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 100);
  const storage = await openStorage({
    kind: 'postgres',
    databaseUrl: required('DATABASE_URL'),
    schema,
    poolSize: 4,
  });
  try {
    const only = process.env.BENCH_PROJECTIONS?.split(',');
    const models = await ReadModels.open(storage.events, storage.sql, {
      schema: readSchema,
      timeZone: 'Asia/Shanghai',
      ...(only && { projections: PROJECTIONS.filter((p) => only.includes(p.name)) }),
    });
    const started = performance.now();
    const events = await models.catchUp({ deferred: true });
    const ms = performance.now() - started;
    peak = Math.max(peak, process.memoryUsage().rss);
    console.log(JSON.stringify({ events, ms, peakRssMb: Math.round(peak / 1e5) / 10 }));
  } finally {
    clearInterval(sampler);
    await storage.close();
  }
}

function required(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set`);
  return value;
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
