/**
 * Requests per principal per minute (api.md `RATE_LIMIT_PER_MINUTE`, 0 = off): a token bucket of
 * `perMinute` tokens refilled evenly, so a burst of a full minute's quota is allowed and then
 * one request every 60/perMinute s. Kept in this process's memory: with several API replicas each
 * enforces the limit on the requests it receives.
 */
export class RateLimiter {
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

/**
 * The API's two limits: requests per principal, and requests without a valid token per client
 * address (a missing, wrong or revoked token), so nobody can make the API look tokens up
 * without end.
 */
export class RateLimits {
  constructor(
    readonly principals: RateLimiter,
    readonly addresses: RateLimiter,
  ) {}
}
