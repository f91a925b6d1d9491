import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { tempDir } from '@ledger/testing';
import { apiClient, openTestApi } from './api-fixture';

describe('rate limit per principal', () => {
  const dir = tempDir();
  let app: NestFastifyApplication;
  let call: ReturnType<typeof apiClient>;
  let auditorToken: string;

  beforeAll(async () => {
    app = await openTestApi(dir.path, {
      RATE_LIMIT_PER_MINUTE: '5',
      RATE_LIMIT_UNAUTHENTICATED_PER_MINUTE: '3',
    });
    call = apiClient(app);
  });
  afterAll(async () => {
    await app.close();
    dir.remove();
  });

  it('answers 429 RATE_LIMITED with Retry-After past the quota, for that principal only', async () => {
    const auditor = await call('POST', '/v1/principals', { name: '纪检', role: 'auditor' });
    expect(auditor.status).toBe(201);
    auditorToken = auditor.body.token as string;
    for (let i = 0; i < 4; i++) expect((await call('GET', '/v1/rules')).status).toBe(200);
    const limited = await call('GET', '/v1/rules');
    expect(limited).toMatchObject({
      status: 429,
      body: { code: 'RATE_LIMITED', status: 429 },
      headers: { 'content-type': 'application/problem+json; charset=utf-8', 'retry-after': '12' },
    });
    const write = await call('POST', '/v1/communities', { name: 'x', street: 'y', district: 'z' });
    expect(write.status).toBe(429);
    expect((await call('GET', '/v1/rules', undefined, auditor.body.token as string)).status).toBe(
      200,
    );
    expect((await app.inject({ method: 'GET', url: '/health' })).statusCode).toBe(200);
  });

  it('limits requests without a valid token per address: 401 until the quota, then 429', async () => {
    for (let i = 0; i < 3; i++)
      expect((await call('GET', '/v1/rules', undefined, `wrong-${i}`)).status).toBe(401);
    const limited = await call('GET', '/v1/rules', undefined, 'wrong-again');
    expect(limited).toMatchObject({ status: 429, body: { code: 'RATE_LIMITED' } });
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    // A principal with a valid token from the same address is not held by it.
    expect((await call('GET', '/v1/rules', undefined, auditorToken)).status).toBe(200);
  });
});
