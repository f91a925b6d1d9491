import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { tempDir } from '@ledger/testing';
import { apiClient, openTestApi } from './api-fixture';

describe('rate limit per principal', () => {
  const dir = tempDir();
  let app: NestFastifyApplication;
  let call: ReturnType<typeof apiClient>;

  beforeAll(async () => {
    app = await openTestApi(dir.path, { RATE_LIMIT_PER_MINUTE: '5' });
    call = apiClient(app);
  });
  afterAll(async () => {
    await app.close();
    dir.remove();
  });

  it('answers 429 RATE_LIMITED with Retry-After past the quota, for that principal only', async () => {
    const auditor = await call('POST', '/v1/principals', { name: '纪检', role: 'auditor' });
    expect(auditor.status).toBe(201);
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
});
