import { settled, type JobProcessors, type JobQueue } from './job-queue';

export { settled };

/** A queue and whatever processes its jobs, made for one test and stopped after it. */
export interface JobHarness {
  queue: JobQueue;
  stop(): Promise<void>;
}

/**
 * What every job queue must do, in-process and on BullMQ alike: run a job, retry it after an
 * error, keep one job per id, keep a failed job visible with its error.
 */
export function jobQueueSuite(open: (processors: JobProcessors) => Promise<JobHarness>): void {
  let harness: JobHarness | undefined;
  afterEach(async () => {
    await harness?.stop();
    harness = undefined;
  });

  it('runs a job and reports its progress and result', async () => {
    harness = await open(
      new Map([
        [
          'double',
          async (
            data: Record<string, unknown>,
            context: { progress(n: number): Promise<void> },
          ) => {
            await context.progress(50);
            return { doubled: Number(data.n) * 2 };
          },
        ],
      ]),
    );
    const added = await harness.queue.add('double', { n: 21 }, { jobId: 'double-21' });
    expect(added).toMatchObject({ id: 'double-21', name: 'double' });
    expect(await settled(harness.queue, 'double-21')).toMatchObject({
      status: 'done',
      result: { doubled: 42 },
      attempts: 1,
    });
    expect(await harness.queue.get('nothing-here')).toBeUndefined();
  });

  it('retries a job that threw, and succeeds on the next attempt', async () => {
    const attempts: number[] = [];
    harness = await open(
      new Map([
        [
          'flaky',
          (_data: Record<string, unknown>, context: { attempt: number }) => {
            attempts.push(context.attempt);
            if (context.attempt === 1) return Promise.reject(new Error('Redis blinked'));
            return Promise.resolve('ok');
          },
        ],
      ]),
    );
    await harness.queue.add('flaky', {}, { jobId: 'flaky-1' });
    expect(await settled(harness.queue, 'flaky-1')).toMatchObject({ status: 'done', result: 'ok' });
    expect(attempts).toEqual([1, 2]);
  });

  it('keeps a retried job’s progress where its farthest attempt took it (never backwards)', async () => {
    let reported!: () => void;
    const secondReported = new Promise<void>((r) => (reported = r));
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    harness = await open(
      new Map([
        [
          'long',
          async (
            _data: Record<string, unknown>,
            context: { attempt: number; progress(n: number): Promise<void> },
          ) => {
            if (context.attempt === 1) {
              await context.progress(60);
              throw new Error('the store blinked');
            }
            await context.progress(10); // starting over
            reported();
            await gate;
            return 'ok';
          },
        ],
      ]),
    );
    await harness.queue.add('long', {}, { jobId: 'long-1' });
    await secondReported;
    expect(await harness.queue.get('long-1')).toMatchObject({ status: 'running', progress: 60 });
    release();
    expect(await settled(harness.queue, 'long-1')).toMatchObject({ status: 'done', progress: 100 });
  });

  it('keeps one job per id: a repeated request runs once', async () => {
    let runs = 0;
    harness = await open(
      new Map([
        [
          'close',
          async () => {
            runs++;
            await new Promise((resolve) => setTimeout(resolve, 100));
            return runs;
          },
        ],
      ]),
    );
    const [a, b] = await Promise.all([
      harness.queue.add('close', { id: 's1' }, { jobId: 'close-s1' }),
      harness.queue.add('close', { id: 's1' }, { jobId: 'close-s1' }),
    ]);
    expect(a.id).toBe(b.id);
    await settled(harness.queue, 'close-s1');
    await harness.queue.add('close', { id: 's1' }, { jobId: 'close-s1' });
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(runs).toBe(1);
  });

  it('keeps a job that failed every attempt, with its error', async () => {
    harness = await open(
      new Map([['broken', () => Promise.reject(new Error('no such selection'))]]),
    );
    await harness.queue.add('broken', {}, { jobId: 'broken-1' });
    expect(await settled(harness.queue, 'broken-1')).toMatchObject({
      status: 'failed',
      attempts: 3,
      error: 'no such selection',
    });
  });

  it('runs a delayed job no sooner than its delay', async () => {
    const ranAt: number[] = [];
    harness = await open(
      new Map([
        [
          'later',
          () => {
            ranAt.push(Date.now());
            return Promise.resolve('ran');
          },
        ],
      ]),
    );
    const addedAt = Date.now();
    await harness.queue.add('later', {}, { jobId: 'later-1', delayMs: 700 });
    expect((await harness.queue.get('later-1'))?.status).toBe('queued');
    expect(await settled(harness.queue, 'later-1')).toMatchObject({
      status: 'done',
      result: 'ran',
    });
    expect(ranAt).toHaveLength(1);
    expect(ranAt[0] - addedAt).toBeGreaterThanOrEqual(650);
  });

  it('refuses ids BullMQ cannot keep', async () => {
    harness = await open(new Map());
    await expect(harness.queue.add('x', {}, { jobId: 'a:b' })).rejects.toThrow(/bad job id/);
    await expect(harness.queue.add('x', {}, { jobId: '123' })).rejects.toThrow(/bad job id/);
  });
}
