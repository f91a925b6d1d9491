import { sleep } from '@ledger/event-store';
import { setMaxListeners } from 'node:events';
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

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/** Jobs remembered for `get` (the oldest finished ones are forgotten first). */
const KEPT_JOBS = 1000;

/**
 * Jobs run in this process (no Redis: the embedded default), with the same processors, attempts
 * and backoff as the BullMQ worker. Nothing survives a restart here, which is why a processor
 * must be safe to run again: what the job was doing is in the log, not in the queue.
 */
export class InProcessJobQueue implements JobQueue {
  readonly kind = 'in-process' as const;
  private readonly jobs = new Map<string, Mutable<JobView>>();
  private readonly running = new Set<Promise<void>>();
  private closed = false;
  /** Ends the waits of delayed jobs at close (they are not kept: what they were for is in the database). */
  private readonly closing = new AbortController();

  constructor(
    private readonly processors: JobProcessors,
    private readonly backoffMs = JOB_BACKOFF_MS,
  ) {
    setMaxListeners(0, this.closing.signal); // every delayed job waits on it
  }

  add(
    name: string,
    data: Record<string, unknown>,
    { jobId, delayMs, forgetWhenDone }: JobOptions,
  ): Promise<JobView> {
    try {
      checkJobId(jobId);
    } catch (error) {
      return Promise.reject(error instanceof Error ? error : new Error(String(error)));
    }
    if (this.closed) return Promise.reject(new Error('the job queue is closed'));
    const existing = this.jobs.get(jobId);
    if (existing) return Promise.resolve({ ...existing });
    const job: Mutable<JobView> = { id: jobId, name, status: 'queued', progress: 0, attempts: 0 };
    this.jobs.set(jobId, job);
    this.forgetOld();
    const run = this.run(job, data, delayMs ?? 0).finally(() => {
      this.running.delete(run);
      if (forgetWhenDone && job.status === 'done') this.jobs.delete(jobId);
    });
    this.running.add(run);
    return Promise.resolve({ ...job });
  }

  get(jobId: string): Promise<JobView | undefined> {
    const job = this.jobs.get(jobId);
    return Promise.resolve(job && { ...job });
  }

  counts(): Promise<Record<JobStatus, number>> {
    const counts: Record<JobStatus, number> = { queued: 0, running: 0, done: 0, failed: 0 };
    for (const job of this.jobs.values()) counts[job.status]++;
    return Promise.resolve(counts);
  }

  /** Lets running jobs finish (graceful shutdown); no new ones start. */
  async close(): Promise<void> {
    this.closed = true;
    this.closing.abort();
    await Promise.all([...this.running]);
  }

  private async run(
    job: Mutable<JobView>,
    data: Record<string, unknown>,
    delayMs: number,
  ): Promise<void> {
    await Promise.resolve(); // answer `add` first
    if (delayMs > 0) await sleep(delayMs, this.closing.signal);
    if (this.closed && delayMs > 0) {
      Object.assign(job, { status: 'failed', error: 'the queue closed before the job was due' });
      return;
    }
    const processor = this.processors.get(job.name);
    if (!processor) {
      Object.assign(job, { status: 'failed', error: `no processor for job ${job.name}` });
      return;
    }
    for (let attempt = 1; attempt <= JOB_ATTEMPTS; attempt++) {
      job.status = 'running';
      job.attempts = attempt;
      try {
        const result = await processor(data, {
          attempt,
          progress: (percent) => {
            // A retry starts over: the job shows where its farthest attempt got.
            job.progress = Math.max(job.progress, Math.min(100, percent));
            return Promise.resolve();
          },
        });
        Object.assign(job, { status: 'done', progress: 100, result });
        delete job.error;
        return;
      } catch (error) {
        job.error = error instanceof Error ? error.message : String(error);
        if (attempt === JOB_ATTEMPTS || this.closed) break;
        await new Promise((resolve) => setTimeout(resolve, this.backoffMs * 2 ** (attempt - 1)));
      }
    }
    job.status = 'failed';
  }

  private forgetOld(): void {
    if (this.jobs.size <= KEPT_JOBS) return;
    for (const [id, job] of this.jobs) {
      if (this.jobs.size <= KEPT_JOBS) break;
      if (job.status === 'done' || job.status === 'failed') this.jobs.delete(id);
    }
  }
}
