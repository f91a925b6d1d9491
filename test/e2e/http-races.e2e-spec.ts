import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { tempDir } from '@ledger/testing';
import { apiClient, openTestApi, setUpDistrict } from './api-fixture';

/** Races at the HTTP level (../shared/quality.md): retries, double taps, racing closes. */
describe('races over HTTP', () => {
  const dir = tempDir();
  let app: NestFastifyApplication;
  let call: ReturnType<typeof apiClient>;
  const year = new Date(Date.now() + 8 * 3_600_000).getUTCFullYear();

  beforeAll(async () => {
    app = await openTestApi(dir.path, { RATE_LIMIT_PER_MINUTE: '0' });
    call = apiClient(app);
    await setUpDistrict(call, {
      communities: { c1: '几江街道' },
      rules: [{ activity: 'patrol', points: 20 }],
      riders: { r1: 'c1', r2: 'c1' },
    });
  });
  afterAll(async () => {
    await app.close();
    dir.remove();
  });

  it('20 parallel retries of one award with one key: one entry, every answer the same award or "in use"', async () => {
    const body = {
      riderId: 'r1',
      activity: 'patrol',
      fundId: 'f1',
      reason: '夜间巡逻',
      occurredAt: new Date(Date.now() - 60_000).toISOString(),
    };
    const answers = await Promise.all(
      Array.from({ length: 20 }, () =>
        call('POST', '/v1/awards', body, undefined, { 'idempotency-key': 'retry-20' }),
      ),
    );
    const done = answers.filter((a) => a.status === 201);
    const inUse = answers.filter((a) => a.status === 409);
    expect(done.length + inUse.length).toBe(20);
    expect(done.length).toBeGreaterThanOrEqual(1);
    expect(new Set(done.map((a) => a.body.entryId)).size).toBe(1);
    for (const a of inUse) expect(a.body.code).toBe('IDEMPOTENCY_KEY_IN_USE');
    const after = await call('POST', '/v1/awards', body, undefined, {
      'idempotency-key': 'retry-20',
    });
    expect(after).toMatchObject({ status: 201, body: { entryId: done[0].body.entryId } });
    const ledger = await call('GET', '/v1/riders/r1/ledger');
    expect(ledger.body.items).toHaveLength(1);
    expect((await call('GET', '/v1/riders/r1/balance')).body).toMatchObject({ balance: 20 });
  });

  it('5 racing closes of one selection: one closes it, the rest are told it is closed', async () => {
    await call('POST', '/v1/awards', {
      riderId: 'r2',
      activity: 'patrol',
      fundId: 'f1',
      reason: '巡逻',
      occurredAt: new Date(Date.now() - 60_000).toISOString(),
    });
    await call('POST', '/v1/selections', { id: 'race', district: '江津区', year, size: 10 });
    const closes = await Promise.all(
      Array.from({ length: 5 }, () => call('POST', '/v1/selections/race/close')),
    );
    const won = closes.filter((c) => c.status === 200);
    expect(won).toHaveLength(1);
    for (const lost of closes.filter((c) => c.status !== 200))
      expect(lost).toMatchObject({ status: 409, body: { code: 'SELECTION_CLOSED' } });
    const read = await call('GET', '/v1/selections/race');
    expect(read.body).toMatchObject({ status: 'closed', winners: won[0].body.winners });
    expect(won[0].body.winners).toEqual([
      { rank: 1, riderId: 'r1', name: 'r1', points: 20 },
      { rank: 2, riderId: 'r2', name: 'r2', points: 20 },
    ]);
  });
});
