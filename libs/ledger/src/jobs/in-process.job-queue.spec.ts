import { InProcessJobQueue } from './in-process.job-queue';
import { jobQueueSuite, settled } from './job-queue.suite';

describe('in-process job queue', () => {
  jobQueueSuite((processors) => {
    const queue = new InProcessJobQueue(processors, 10);
    return Promise.resolve({ queue, stop: () => queue.close() });
  });

  it('lets a running job finish on close, and takes no new one', async () => {
    let finished = false;
    const queue = new InProcessJobQueue(
      new Map([
        [
          'slow',
          async () => {
            await new Promise((resolve) => setTimeout(resolve, 200));
            finished = true;
          },
        ],
      ]),
    );
    await queue.add('slow', {}, { jobId: 'slow-1' });
    await new Promise((resolve) => setTimeout(resolve, 20));
    await queue.close();
    expect(finished).toBe(true);
    expect(await settled(queue, 'slow-1')).toMatchObject({ status: 'done' });
    await expect(queue.add('slow', {}, { jobId: 'slow-2' })).rejects.toThrow(/closed/);
  });
});
