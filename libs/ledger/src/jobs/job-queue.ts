/** Long and scheduled work: hazard escalation, selection close, and (issue 06) replays and seals. */
export type JobStatus = 'queued' | 'running' | 'done' | 'failed';

export interface JobView {
  readonly id: string;
  readonly name: string;
  readonly status: JobStatus;
  /** 0–100, as the processor reports it; never backwards (a retry shows its farthest attempt's). */
  readonly progress: number;
  /** Attempts made so far (a retried job counts each). */
  readonly attempts: number;
  readonly result?: unknown;
  readonly error?: string;
}

export interface JobContext {
  /** 1 for the first run, 2 for the first retry … */
  readonly attempt: number;
  progress(percent: number): Promise<void>;
}

/**
 * A processor must be safe to run again on the same data: a job is retried after an error, and
 * a job whose worker died mid-way is run again by another.
 */
export type JobProcessor = (data: Record<string, unknown>, context: JobContext) => Promise<unknown>;

export type JobProcessors = ReadonlyMap<string, JobProcessor>;

export interface JobOptions {
  readonly jobId: string;
  /** Runs the job this long after it is added at the earliest (a retry on a schedule). */
  readonly delayMs?: number;
  /** Forgets the job once done (many small jobs, each with its own id): its id is free again. */
  readonly forgetWhenDone?: boolean;
}

export interface JobQueue {
  readonly kind: 'redis' | 'in-process';
  /**
   * Adds a job unless one with this id exists (then answers that one): build the id from the
   * domain id (`selection-close-<selectionId>`), so a repeated request is one job.
   */
  add(name: string, data: Record<string, unknown>, options: JobOptions): Promise<JobView>;
  get(jobId: string): Promise<JobView | undefined>;
  /** Jobs kept, by status (the metrics' queue depth). */
  counts(): Promise<Record<JobStatus, number>>;
  close(): Promise<void>;
}

/** Every job: three attempts, the retries 1 s then 2 s after a failure. */
export const JOB_ATTEMPTS = 3;
export const JOB_BACKOFF_MS = 1000;

const JOB_ID = /^[A-Za-z][A-Za-z0-9_.-]{0,199}$/;

/** BullMQ refuses ids with `:` and all-digit ids; the same rule holds in-process, so both agree. */
export function checkJobId(jobId: string): void {
  if (!JOB_ID.test(jobId)) throw new Error(`bad job id "${jobId}"`);
}

/** Waits until the job is done or failed (bounded): for callers that need the outcome. */
export async function settled(
  queue: JobQueue,
  jobId: string,
  timeoutMs = 20_000,
): Promise<JobView> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const job = await queue.get(jobId);
    if (job && (job.status === 'done' || job.status === 'failed')) return job;
    if (Date.now() > deadline)
      throw new Error(`job ${jobId} did not settle: ${JSON.stringify(job)}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
