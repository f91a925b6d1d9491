import { Job, Queue, UnrecoverableError, Worker, type JobState } from 'bullmq';
import { StoreUnavailable } from '@ledger/event-store';
import { Redis, type RedisOptions } from 'ioredis';
import { TimedOut, withTimeout } from '../infrastructure/timeout';
import {
  checkJobId,
  JOB_ATTEMPTS,
  JOB_BACKOFF_MS,
  type JobOptions,
  type JobProcessors,
  type JobQueue,
  type JobStatus,
  type JobView,
} from './job-queue';

/** The queue every ledger job goes through. */
export const LEDGER_QUEUE = 'ledger-jobs';
/** Finished jobs stay visible a week; failed ones until removed by hand. */
const KEEP_DONE_S = 7 * 24 * 3600;
/**
 * A request that adds or reads a job waits this long for Redis at most, then answers
 * STORE_UNAVAILABLE: Redis down, unreachable, or down when the queue first connected (BullMQ then
 * waits for it). Job ids are idempotent, so an add that completes after this is harmless.
 */
export const QUEUE_CALL_TIMEOUT_MS = 2000;

/** What ioredis says when Redis is not there (offline queue off, a lost link, a command timeout). */
const REDIS_AWAY =
  /stream isn't writeable|connection is closed|command timed out|max retries per request|ECONNREFUSED|ECONNRESET|ETIMEDOUT|EHOSTUNREACH|ENOTFOUND|EPIPE/i;

/** Redis (the job queue) did not answer: nothing was queued, or (after a timeout) maybe later. */
export class QueueUnavailable extends StoreUnavailable {}

function connection(url: string, options: RedisOptions = {}): Redis {
  // BullMQ's blocking commands need `maxRetriesPerRequest: null`.
  const redis = new Redis(url, { maxRetriesPerRequest: null, ...options });
  redis.on('error', () => undefined); // BullMQ reconnects; errors surface on the calls
  return redis;
}

/** Jobs in Redis through BullMQ: the API adds them, `apps/worker` processes them. */
export class BullJobQueue implements JobQueue {
  readonly kind = 'redis' as const;
  private opened: { queue: Queue; redis: Redis } | undefined;
  private everReady = false;

  constructor(
    private readonly redisUrl: string,
    readonly name = LEDGER_QUEUE,
  ) {}

  /**
   * Connects on first use: a process that never adds a job (an API with Redis down, a test)
   * holds no connection that could fail behind its back.
   */
  private get queue(): Queue {
    if (!this.opened) {
      // BullMQ's advice for producers: fail at once while Redis is away instead of queueing
      // commands until it returns (https://docs.bullmq.io/patterns/failing-fast-when-redis-is-down).
      const redis = connection(this.redisUrl, {
        enableOfflineQueue: false,
        commandTimeout: QUEUE_CALL_TIMEOUT_MS,
      });
      redis.once('ready', () => (this.everReady = true));
      const queue = new Queue(this.name, { connection: redis });
      // Redis down: `add` and `get` reject and /health reports it; the event must not crash the process.
      queue.on('error', () => undefined);
      this.opened = { queue, redis };
    }
    return this.opened.queue;
  }

  async add(
    name: string,
    data: Record<string, unknown>,
    { jobId, delayMs, forgetWhenDone }: JobOptions,
  ) {
    checkJobId(jobId); // a rejection, like every other failure of `add`
    return await this.call(async () => {
      const job = await this.queue.add(name, data, {
        jobId,
        ...(delayMs !== undefined && delayMs > 0 && { delay: Math.ceil(delayMs) }),
        attempts: JOB_ATTEMPTS,
        backoff: { type: 'exponential', delay: JOB_BACKOFF_MS },
        removeOnComplete: forgetWhenDone ? true : { age: KEEP_DONE_S },
        // Many small jobs (webhook triggers) are not kept failed for ever: a week, as done ones.
        removeOnFail: forgetWhenDone ? { age: KEEP_DONE_S } : false,
      });
      return viewOf(job, await job.getState());
    });
  }

  get(jobId: string): Promise<JobView | undefined> {
    return this.call(async () => {
      // The state first: a job read after it is at least as far along, so `done` comes with its result.
      const state = await this.queue.getJobState(jobId);
      const job = await Job.fromId(this.queue, jobId);
      return job ? viewOf(job, state) : undefined;
    });
  }

  counts(): Promise<Record<JobStatus, number>> {
    return this.call(async () => {
      const n = await this.queue.getJobCounts(
        'waiting',
        'prioritized',
        'delayed',
        'active',
        'completed',
        'failed',
      );
      const of = (state: string) => n[state] ?? 0;
      return {
        queued: of('waiting') + of('prioritized') + of('delayed'),
        running: of('active'),
        done: of('completed'),
        failed: of('failed'),
      };
    });
  }

  /**
   * A call to Redis, bounded in time; Redis away (or too slow) is `QueueUnavailable`. Once the
   * connection has been up, a lost one fails at once (ioredis reconnects in the background); only
   * the very first call waits for Redis, up to the timeout.
   */
  private async call<T>(work: () => Promise<T>): Promise<T> {
    const status = this.opened?.redis.status;
    if (this.everReady && status !== 'ready')
      throw new QueueUnavailable(`the job queue (Redis) is not connected (${status})`);
    try {
      return await withTimeout(work(), QUEUE_CALL_TIMEOUT_MS);
    } catch (error) {
      if (error instanceof TimedOut || REDIS_AWAY.test(String(error)))
        throw new QueueUnavailable('the job queue (Redis) did not answer', { cause: error });
      throw error;
    }
  }

  /** Runs `name` every `everyMs` (one schedule per name, however many processes set it). */
  async schedule(name: string, everyMs: number, data: Record<string, unknown>): Promise<void> {
    await this.queue.upsertJobScheduler(
      name,
      { every: everyMs },
      {
        name,
        data,
        opts: { attempts: JOB_ATTEMPTS, backoff: { type: 'exponential', delay: JOB_BACKOFF_MS } },
      },
    );
  }

  async close(): Promise<void> {
    if (!this.opened) return;
    const { queue, redis } = this.opened;
    this.opened = undefined;
    this.everReady = false;
    await queue.close();
    redis.disconnect(); // BullMQ leaves a connection it was given open
  }
}

export interface WorkerOptions {
  readonly queueName?: string;
  readonly concurrency?: number;
  /** How long a job's lock lasts without renewal: a dead worker's job is retried after it. */
  readonly lockDurationMs?: number;
  readonly stalledIntervalMs?: number;
}

/**
 * Processes the ledger's jobs. `close()` lets active jobs finish; a worker that dies instead
 * leaves its job locked until the lock expires, then another worker runs it again.
 */
export function startJobWorker(
  redisUrl: string,
  processors: JobProcessors,
  options: WorkerOptions = {},
): Worker {
  const redis = connection(redisUrl);
  const worker = new Worker(
    options.queueName ?? LEDGER_QUEUE,
    async (job) => {
      const processor = processors.get(job.name);
      if (!processor) throw new UnrecoverableError(`no processor for job ${job.name}`);
      return processor(job.data as Record<string, unknown>, {
        attempt: job.attemptsMade + 1,
        // A retry starts over: the job shows where its farthest attempt got.
        progress: async (percent) => {
          const shown = typeof job.progress === 'number' ? job.progress : 0;
          if (percent > shown) await job.updateProgress(Math.min(100, percent));
        },
      });
    },
    {
      connection: redis,
      concurrency: options.concurrency ?? 4,
      lockDuration: options.lockDurationMs ?? 30_000,
      stalledInterval: options.stalledIntervalMs ?? 30_000,
      maxStalledCount: 2,
    },
  );
  worker.on('error', () => undefined); // connection trouble: BullMQ retries
  worker.on('closed', () => redis.disconnect()); // BullMQ leaves a connection it was given open
  return worker;
}

const STATUS: Partial<Record<JobState | 'unknown', JobStatus>> = {
  active: 'running',
  completed: 'done',
  failed: 'failed',
};

function viewOf(job: Job, state: JobState | 'unknown'): JobView {
  return {
    id: job.id ?? '',
    name: job.name,
    status: STATUS[state] ?? 'queued',
    // BullMQ leaves a finished job's progress where its processor last put it: done is 100.
    progress: state === 'completed' ? 100 : typeof job.progress === 'number' ? job.progress : 0,
    attempts: job.attemptsMade,
    ...(state === 'completed' && { result: job.returnvalue as unknown }),
    ...(job.failedReason !== undefined && job.failedReason !== '' && { error: job.failedReason }),
  };
}
