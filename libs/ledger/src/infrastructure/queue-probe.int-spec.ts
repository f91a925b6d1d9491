import { requireRedis, TEST_REDIS_URL } from '@ledger/testing';
import { redisQueueProbe } from './queue-probe';

describe('Redis queue probe', () => {
  beforeAll(() => requireRedis());

  it('reports the real Redis up', async () => {
    const probe = redisQueueProbe(TEST_REDIS_URL);
    try {
      await expect(probe.check()).resolves.toEqual({ kind: 'redis', status: 'up' });
    } finally {
      await probe.close();
    }
  });

  it('reports a Redis that is not there down, quickly, without throwing', async () => {
    const probe = redisQueueProbe('redis://127.0.0.1:1');
    const started = Date.now();
    try {
      await expect(probe.check()).resolves.toEqual({ kind: 'redis', status: 'down' });
      expect(Date.now() - started).toBeLessThan(3000);
    } finally {
      await probe.close();
    }
  });
});
