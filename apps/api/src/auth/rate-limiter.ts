import type { OnModuleDestroy } from '@nestjs/common';
import { Redis } from 'ioredis';
import { RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';

/** Takes one request from a key's quota: 0 when allowed, else the seconds to wait. */
export interface Limiter {
  take(key: string): number | Promise<number>;
}

/**
 * Requests per principal per minute (api.md `RATE_LIMIT_PER_MINUTE`, 0 = off): a token bucket of
 * `perMinute` tokens refilled evenly, so a burst of a full minute's quota is allowed and then
 * one request every 60/perMinute s. Kept in this process's memory: with several API replicas each
 * enforces the limit on the requests it receives.
 */
export class RateLimiter implements Limiter {
  private readonly buckets = new Map<string, { tokens: number; at: number }>();
  private readonly perMs: number;

  constructor(
    private readonly perMinute: number,
    private readonly now: () => number = Date.now,
    /** Principals tracked at most; idle full buckets are dropped first when it is reached. */
    private readonly maxTracked = 100_000,
  ) {
    this.perMs = perMinute / 60_000;
  }

  /** Takes one request from `key`'s quota: 0 when allowed, else the seconds to wait. */
  take(key: string): number {
    if (this.perMinute === 0) return 0;
    const now = this.now();
    const bucket = this.buckets.get(key) ?? { tokens: this.perMinute, at: now };
    bucket.tokens = Math.min(this.perMinute, bucket.tokens + (now - bucket.at) * this.perMs);
    bucket.at = now;
    if (!this.buckets.has(key)) {
      if (this.buckets.size >= this.maxTracked) this.dropFull(now);
      this.buckets.set(key, bucket);
    }
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return 0;
    }
    return Math.max(1, Math.ceil((1 - bucket.tokens) / this.perMs / 1000));
  }

  private dropFull(now: number): void {
    for (const [key, bucket] of this.buckets) {
      if (bucket.tokens + (now - bucket.at) * this.perMs >= this.perMinute)
        this.buckets.delete(key);
    }
  }
}

/** How long a shared count may take before this process counts alone (Redis slow or away). */
const REDIS_TIMEOUT_MS = 250;

/**
 * The same limit counted for all API processes in Redis (`rate-limiter-flexible`'s
 * RateLimiterRedis: `perMinute` requests per fixed minute per key, one atomic command per
 * request). When Redis does not answer within REDIS_TIMEOUT_MS or is away, the request is
 * counted by this process's own limiter instead (fail open to the per-process limit, never to
 * none, and never a request held up by Redis).
 */
export class SharedRateLimiter implements Limiter {
  private readonly limiter: RateLimiterRedis;

  constructor(
    redis: Redis,
    private readonly perMinute: number,
    keyPrefix: string,
    private readonly alone: RateLimiter,
  ) {
    this.limiter = new RateLimiterRedis({
      storeClient: redis,
      points: perMinute,
      duration: 60,
      keyPrefix,
    });
  }

  async take(key: string): Promise<number> {
    if (this.perMinute === 0) return 0;
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<'late'>((resolve) => {
      timer = setTimeout(() => resolve('late'), REDIS_TIMEOUT_MS);
    });
    try {
      const counted = await Promise.race([this.limiter.consume(key), late]);
      return counted === 'late' ? this.alone.take(key) : 0;
    } catch (error) {
      if (error instanceof RateLimiterRes) return Math.max(1, Math.ceil(error.msBeforeNext / 1000));
      return this.alone.take(key);
    } finally {
      clearTimeout(timer);
    }
  }
}

/**
 * The API's two limits: requests per principal, and requests without a valid token per client
 * address (a missing, wrong or revoked token), so nobody can make the API look tokens up
 * without end. With Redis both are counted there, for every API process together.
 */
export class RateLimits implements OnModuleDestroy {
  constructor(
    readonly principals: Limiter,
    readonly addresses: Limiter,
    private readonly redis?: Redis,
  ) {}

  /** Shared through Redis when there is one (per deployment schema), else per process. */
  static of(
    limits: { perMinute: number; unauthenticatedPerMinute: number },
    redisUrl: string | undefined,
    scope: string,
  ): RateLimits {
    const principals = new RateLimiter(limits.perMinute);
    const addresses = new RateLimiter(limits.unauthenticatedPerMinute);
    if (redisUrl === undefined) return new RateLimits(principals, addresses);
    // Fail fast while Redis is away (commands are not queued), as rate-limiter-flexible advises.
    const redis = new Redis(redisUrl, { enableOfflineQueue: false, maxRetriesPerRequest: 1 });
    redis.on('error', () => undefined); // reconnects by itself; a take meanwhile counts alone
    const prefix = `ledger-rate:${scope}`;
    return new RateLimits(
      new SharedRateLimiter(redis, limits.perMinute, `${prefix}:principal`, principals),
      new SharedRateLimiter(redis, limits.unauthenticatedPerMinute, `${prefix}:address`, addresses),
      redis,
    );
  }

  onModuleDestroy(): void {
    this.redis?.disconnect();
  }
}
