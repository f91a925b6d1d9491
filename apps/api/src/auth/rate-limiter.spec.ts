import { RateLimiter } from './rate-limiter';

describe('RateLimiter', () => {
  it('allows a minute’s quota at once, then one request per 60/n s, per principal', () => {
    let now = 0;
    const limiter = new RateLimiter(60, () => now);
    for (let i = 0; i < 60; i++) expect(limiter.take('staff-1')).toBe(0);
    expect(limiter.take('staff-1')).toBe(1); // one token a second
    expect(limiter.take('station-1')).toBe(0); // others have their own quota
    now += 1000;
    expect(limiter.take('staff-1')).toBe(0);
    expect(limiter.take('staff-1')).toBeGreaterThan(0);
    now += 60_000;
    for (let i = 0; i < 60; i++) expect(limiter.take('staff-1')).toBe(0);
    expect(limiter.take('staff-1')).toBeGreaterThan(0);
  });

  it('tells how long to wait when the quota is slow', () => {
    const limiter = new RateLimiter(2, () => 0);
    limiter.take('a');
    limiter.take('a');
    expect(limiter.take('a')).toBe(30);
  });

  it('is off at 0', () => {
    const limiter = new RateLimiter(0);
    for (let i = 0; i < 1000; i++) expect(limiter.take('a')).toBe(0);
  });

  it('forgets idle principals when it tracks too many', () => {
    let now = 0;
    const limiter = new RateLimiter(1, () => now, 2);
    limiter.take('a');
    limiter.take('b');
    now += 120_000; // both full again
    limiter.take('c');
    expect(limiter.take('a')).toBe(0); // a was dropped and starts with a full bucket
  });
});
