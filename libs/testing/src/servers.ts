import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { Client } from 'pg';

/** The PostgreSQL integration tests use; the machine's trust-auth server by default. */
export const TEST_DATABASE_URL = process.env.DATABASE_URL ?? 'postgres://root@127.0.0.1:5432/test';
export const TEST_REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

/** A schema name no other run uses, so parallel runs and leftovers never collide. */
export function uniqueSchema(prefix = 'it'): string {
  return `${prefix}_${Date.now().toString(36)}_${randomBytes(4).toString('hex')}`;
}

/**
 * Fails (never skips) when PostgreSQL is not there: integration tests exist to run against it,
 * and CI must not pass without it.
 */
export async function requirePostgres(url = TEST_DATABASE_URL): Promise<void> {
  const client = new Client({ connectionString: url, connectionTimeoutMillis: 3000 });
  try {
    await client.connect();
    await client.query('select 1');
  } catch (error) {
    throw new Error(
      `PostgreSQL is not reachable at ${url} (${String(error)}). Integration tests need it: ` +
        'start it or set DATABASE_URL.',
    );
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** Fails (never skips) when Redis is not there, like `requirePostgres`. */
export async function requireRedis(url = TEST_REDIS_URL): Promise<void> {
  const redis = new Redis(url, {
    lazyConnect: true,
    maxRetriesPerRequest: 0,
    connectTimeout: 3000,
  });
  redis.on('error', () => undefined);
  try {
    await redis.connect();
    await redis.ping();
  } catch (error) {
    throw new Error(
      `Redis is not reachable at ${url} (${String(error)}). Integration tests need it: ` +
        'start it or set REDIS_URL.',
    );
  } finally {
    redis.disconnect();
  }
}

/** Drops a schema made by `uniqueSchema`, with everything in it. */
export async function dropSchema(schema: string, url = TEST_DATABASE_URL): Promise<void> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(`drop schema if exists ${schema} cascade`);
  } finally {
    await client.end();
  }
}
