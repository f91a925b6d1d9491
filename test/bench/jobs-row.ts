import { Queue, Worker } from 'bullmq';
import { Redis } from 'ioredis';
import { BullJobQueue, startJobWorker } from '@ledger/ledger';
import { round, type BenchOptions, type Row } from './measure';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

/** The bench's Redis, database `db` (a run keeps its queue apart from other users of the server). */
export function jobsRedisUrl(db: number): string {
  const url = new URL(REDIS_URL);
  url.pathname = `/${db}`;
  return url.toString();
}
const JOBS = 2000;

export async function redisReachable(): Promise<boolean> {
  const redis = new Redis(REDIS_URL, {
    lazyConnect: true,
    maxRetriesPerRequest: 0,
    connectTimeout: 2000,
  });
  redis.on('error', () => undefined);
  try {
    await redis.connect();
    await redis.ping();
    return true;
  } catch {
    return false;
  } finally {
    redis.disconnect();
  }
}

/** Adds `count` jobs and resolves when the worker has processed all of them: jobs per second. */
async function roundTrip(
  add: (i: number) => Promise<unknown>,
  processed: () => number,
  count: number,
) {
  const t = Date.now();
  const start = processed();
  for (let i = 0; i < count; i += 50)
    await Promise.all(Array.from({ length: Math.min(50, count - i) }, (_, k) => add(i + k)));
  while (processed() - start < count) await new Promise((r) => setTimeout(r, 5));
  return count / ((Date.now() - t) / 1000);
}

/** Jobs through the ledger's queue and worker vs bare BullMQ add + process, same Redis, same run. */
export async function jobs(o: BenchOptions): Promise<Row> {
  const name = `bench-jobs-${Date.now().toString(36)}`;
  let done = 0;
  const queue = new BullJobQueue(REDIS_URL, `${name}-ledger`);
  const worker = startJobWorker(REDIS_URL, new Map([['noop', () => Promise.resolve(++done)]]), {
    queueName: `${name}-ledger`,
    concurrency: 8,
  });
  const bareConnection = new Redis(REDIS_URL, { maxRetriesPerRequest: null });
  const bareQueue = new Queue(`${name}-bare`, { connection: bareConnection });
  let bareDone = 0;
  const bareWorker = new Worker(`${name}-bare`, () => Promise.resolve(++bareDone), {
    connection: bareConnection.duplicate(),
    concurrency: 8,
  });
  try {
    await Promise.all([worker.waitUntilReady(), bareWorker.waitUntilReady()]);
    const subject: number[] = [];
    const baseline: number[] = [];
    let id = 0;
    for (let r = 0; r < o.rounds; r++) {
      baseline.push(
        await roundTrip(
          () => bareQueue.add('noop', {}, { removeOnComplete: true }),
          () => bareDone,
          JOBS,
        ),
      );
      subject.push(
        await roundTrip(
          () => queue.add('noop', {}, { jobId: `noop-${id++}` }),
          () => done,
          JOBS,
        ),
      );
    }
    const mid = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
    const value = round(mid(subject));
    const base = round(mid(baseline));
    return {
      name: 'jobs',
      value,
      unit: 'jobs/s',
      baseline: base,
      ratio: round(value / base, 3),
      target: 0.8,
      notes: `${JOBS} jobs added 50 at a time and processed (concurrency 8); ledger jobs have ids, 3 attempts and are kept a week`,
    };
  } finally {
    await worker.close();
    await bareWorker.close();
    await queue.close();
    await bareQueue.obliterate({ force: true }).catch(() => undefined);
    await bareQueue.close();
    bareConnection.disconnect();
    const cleanup = new Redis(REDIS_URL);
    const keys = await cleanup.keys(`bull:${name}-*`);
    if (keys.length > 0) await cleanup.del(...keys);
    cleanup.disconnect();
  }
}
