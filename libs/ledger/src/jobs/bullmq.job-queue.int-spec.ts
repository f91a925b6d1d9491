import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { requireRedis, TEST_REDIS_URL } from '@ledger/testing';
import {
  BullJobQueue,
  QUEUE_CALL_TIMEOUT_MS,
  QueueUnavailable,
  startJobWorker,
} from './bullmq.job-queue';
import { jobQueueSuite, settled } from './job-queue.suite';

/** Each test its own queue name, so runs and leftovers never meet; removed after. */
function queueName(): string {
  return `it-jobs-${Date.now().toString(36)}-${randomBytes(3).toString('hex')}`;
}

async function removeQueue(name: string): Promise<void> {
  const redis = new Redis(TEST_REDIS_URL);
  try {
    const keys = await redis.keys(`bull:${name}:*`);
    if (keys.length > 0) await redis.del(...keys);
  } finally {
    redis.disconnect();
  }
}

describe('BullMQ job queue (real Redis)', () => {
  beforeAll(() => requireRedis());

  jobQueueSuite(async (processors) => {
    const name = queueName();
    const queue = new BullJobQueue(TEST_REDIS_URL, name);
    const worker = startJobWorker(TEST_REDIS_URL, processors, { queueName: name });
    await worker.waitUntilReady(); // closing a worker still connecting leaves sockets behind
    return {
      queue,
      stop: async () => {
        await worker.close();
        await queue.close();
        await removeQueue(name);
      },
    };
  });

  it('runs a job again when its worker dies mid-way, and the job changes nothing twice', async () => {
    const name = queueName();
    const queue = new BullJobQueue(TEST_REDIS_URL, name);
    const effects = new Set<string>();
    let runs = 0;
    let release: () => void = () => undefined;
    const hang = new Promise<void>((resolve) => (release = resolve));
    const processors = new Map([
      [
        'seal',
        async (data: Record<string, unknown>) => {
          runs++;
          if (runs === 1) await hang; // the first worker never finishes: it is "killed"
          effects.add(String(data.day)); // idempotent effect, keyed by the domain id
          return 'sealed';
        },
      ],
    ]);
    const options = { queueName: name, lockDurationMs: 1000, stalledIntervalMs: 500 };
    const doomed = startJobWorker(TEST_REDIS_URL, processors, options);
    try {
      await queue.add('seal', { day: '2026-06-15' }, { jobId: 'seal-2026-06-15' });
      const deadline = Date.now() + 10_000;
      while (runs === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      expect(runs).toBe(1);
      await doomed.close(true); // like SIGKILL: no completion, the lock is no longer renewed
      const rescuer = startJobWorker(TEST_REDIS_URL, processors, options);
      try {
        const job = await settled(queue, 'seal-2026-06-15');
        expect(job).toMatchObject({ status: 'done', result: 'sealed' });
        expect(runs).toBe(2);
        expect([...effects]).toEqual(['2026-06-15']);
      } finally {
        await rescuer.close();
      }
    } finally {
      release();
      await queue.close();
      await removeQueue(name);
    }
  }, 30_000);

  it('runs a schedule once per period however many workers keep it', async () => {
    const name = queueName();
    const queues = [1, 2, 3].map(() => new BullJobQueue(TEST_REDIS_URL, name));
    let runs = 0;
    const processors = new Map([['seal', () => Promise.resolve(String(++runs))]]);
    // Three worker processes, each scheduling the seal at start, as every worker does.
    const workers = queues.map(() =>
      startJobWorker(TEST_REDIS_URL, processors, { queueName: name }),
    );
    try {
      await Promise.all(workers.map((w) => w.waitUntilReady()));
      const started = Date.now();
      await Promise.all(queues.map((q) => q.schedule('seal', 400, {})));
      await new Promise((r) => setTimeout(r, 2200));
      const periods = (Date.now() - started) / 400;
      // One run per period (the first at once): three schedulers would make about three times as many.
      expect(runs).toBeGreaterThanOrEqual(Math.floor(periods) - 1);
      expect(runs).toBeLessThanOrEqual(Math.ceil(periods) + 1);
    } finally {
      await Promise.all(workers.map((w) => w.close()));
      await Promise.all(queues.map((q) => q.close()));
      await removeQueue(name);
    }
  }, 30_000);

  it('answers QueueUnavailable within its timeout when Redis is not there, and at once once it was lost', async () => {
    const nowhere = new BullJobQueue('redis://127.0.0.1:1', queueName());
    try {
      const started = Date.now();
      await expect(nowhere.add('x', {}, { jobId: 'x-1' })).rejects.toBeInstanceOf(QueueUnavailable);
      await expect(nowhere.get('x-1')).rejects.toBeInstanceOf(QueueUnavailable);
      expect(Date.now() - started).toBeLessThan(2 * QUEUE_CALL_TIMEOUT_MS + 1000);
    } finally {
      await nowhere.close();
    }
  });
});
