import { Redis } from 'ioredis';
import { withTimeout } from './timeout';

/** What `/health` reports about the job queue. */
export interface QueueStatus {
  readonly kind: 'redis' | 'in-process';
  readonly status: 'up' | 'down';
}

export interface QueueProbe {
  check(): Promise<QueueStatus>;
  close(): Promise<void>;
}

/** A health check must answer quickly even when Redis hangs. */
const REDIS_PING_TIMEOUT_MS = 1000;

/** Without REDIS_URL jobs run in-process (the embedded default): always up. */
export function inProcessQueueProbe(): QueueProbe {
  return {
    check: () => Promise.resolve({ kind: 'in-process', status: 'up' }),
    close: () => Promise.resolve(),
  };
}

/** Pings the Redis that BullMQ uses; never throws, reports `down` instead. */
export function redisQueueProbe(url: string): QueueProbe {
  const redis = new Redis(url, {
    lazyConnect: true,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    connectTimeout: REDIS_PING_TIMEOUT_MS,
    // Reconnect in the background at a bounded pace, so the probe recovers when Redis returns.
    retryStrategy: (attempt) => Math.min(attempt * 200, 2000),
  });
  redis.on('error', () => undefined); // state is read by check(); errors must not crash the process
  return {
    async check() {
      try {
        if (redis.status === 'wait') await redis.connect();
        await withTimeout(redis.ping(), REDIS_PING_TIMEOUT_MS);
        return { kind: 'redis', status: 'up' };
      } catch {
        return { kind: 'redis', status: 'down' };
      }
    },
    async close() {
      redis.disconnect();
      return Promise.resolve();
    },
  };
}
