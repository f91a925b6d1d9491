import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import {
  dropSchema,
  requirePostgres,
  requireRedis,
  tempDir,
  TEST_DATABASE_URL,
  TEST_REDIS_URL,
  uniqueSchema,
} from '@ledger/testing';
import { RateLimiter, RateLimits } from '../../apps/api/src/auth/rate-limiter';
import { apiClient, openTestApi } from './api-fixture';

/**
 * Issue 15: with Redis the rate limits are counted for every API process together; without an
 * answer from Redis each process counts alone (never no limit, never a request held up).
 */
describe('rate limits shared through Redis', () => {
  beforeAll(async () => {
    await requireRedis();
  });

  it('counts one principal’s requests through two APIs together', async () => {
    await requirePostgres();
    const dirs = [tempDir(), tempDir()];
    // The deployment's schema names the Redis keys: this run's own.
    const schema = uniqueSchema('rl');
    const env = {
      EVENT_STORE: 'postgres',
      DATABASE_URL: TEST_DATABASE_URL,
      DATABASE_SCHEMA: schema,
      REDIS_URL: TEST_REDIS_URL,
      RATE_LIMIT_PER_MINUTE: '4',
    };
    const apps: NestFastifyApplication[] = [];
    try {
      for (const dir of dirs) apps.push(await openTestApi(dir.path, env));
      const [one, other] = apps.map((app) => apiClient(app));
      const statuses: number[] = [];
      for (let i = 0; i < 3; i++) {
        statuses.push((await one('GET', '/v1/me')).status);
        statuses.push((await other('GET', '/v1/me')).status);
      }
      // Four allowed in all, whichever API took them; processes counting alone would allow six.
      expect(statuses.filter((s) => s === 200)).toHaveLength(4);
      expect(statuses.filter((s) => s === 429)).toHaveLength(2);
      const refused = await other('GET', '/v1/me');
      expect(refused).toMatchObject({ status: 429, body: { code: 'RATE_LIMITED' } });
      expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
    } finally {
      for (const app of apps) await app.close();
      await dropSchema(schema);
      await dropSchema(`${schema}_read`);
      for (const dir of dirs) dir.remove();
    }
  }, 60_000);

  it('counts in this process alone, at once, when Redis does not answer', async () => {
    // Nothing listens on port 1: every command fails, as with Redis down.
    const limits = RateLimits.of(
      { perMinute: 3, unauthenticatedPerMinute: 3 },
      'redis://127.0.0.1:1',
      'nowhere',
    );
    try {
      const started = Date.now();
      const waits: number[] = [];
      for (let i = 0; i < 4; i++) waits.push(await limits.principals.take('staff-1'));
      expect(waits.slice(0, 3)).toEqual([0, 0, 0]);
      expect(waits[3]).toBeGreaterThan(0);
      expect(Date.now() - started).toBeLessThan(2000);
    } finally {
      limits.onModuleDestroy();
    }
  });

  it('keeps per-process counting when there is no Redis at all', async () => {
    const limits = RateLimits.of({ perMinute: 2, unauthenticatedPerMinute: 2 }, undefined, 'x');
    expect(limits.principals).toBeInstanceOf(RateLimiter);
    expect([await limits.principals.take('a'), await limits.principals.take('a')]).toEqual([0, 0]);
    expect(await limits.principals.take('a')).toBeGreaterThan(0);
  });
});
