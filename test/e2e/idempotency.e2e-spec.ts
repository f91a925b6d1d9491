import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { tempDir } from '@ledger/testing';
import { ADMIN_TOKEN as ADMIN, apiClient, openTestApi } from './api-fixture';

/** Idempotency-Key over HTTP, on the principals route (the first write route). */
describe('Idempotency-Key', () => {
  const dir = tempDir();
  let app: NestFastifyApplication;

  const open = async () => {
    app = await openTestApi(dir.path);
  };
  beforeAll(async () => {
    await open();
    // The stations the principals below are scoped to.
    for (const id of ['s-1', 's-2'])
      await apiClient(app)('POST', '/v1/stations', {
        id,
        name: id,
        district: '江津区',
        kind: 'station',
      });
  });
  afterAll(async () => {
    await app.close();
    dir.remove();
  });

  const post = async (key: string | undefined, body: unknown) => {
    const res = await app.inject({
      method: 'POST',
      url: '/v1/principals',
      headers: {
        authorization: `Bearer ${ADMIN}`,
        'content-type': 'application/json',
        ...(key !== undefined && { 'idempotency-key': key }),
      },
      payload: JSON.stringify(body),
    });
    return {
      status: res.statusCode,
      body: res.json<Record<string, unknown>>(),
      replayed: res.headers['idempotent-replayed'],
    };
  };

  it('answers a retry with the first response (same token) and writes once; another body is 409 REUSED', async () => {
    const body = { name: '驿站运营方', role: 'station', stationIds: ['s-1'] };
    const first = await post('tap-1', body);
    expect(first.status).toBe(201);
    const retries = await Promise.all(Array.from({ length: 5 }, () => post('tap-1', body)));
    for (const retry of retries) {
      expect([201, 409]).toContain(retry.status); // 409 IDEMPOTENCY_KEY_IN_USE only while the first runs
      if (retry.status === 201) expect(retry.body).toEqual(first.body);
    }
    expect(await post('tap-1', body)).toMatchObject({
      status: 201,
      body: first.body,
      replayed: 'true',
    });
    expect(await post('tap-1', { ...body, name: '另一个' })).toMatchObject({
      status: 409,
      body: { code: 'IDEMPOTENCY_KEY_REUSED' },
    });
  });

  it('keeps nothing for a request that failed validation, and refuses a malformed key', async () => {
    expect(await post('tap-2', { name: 'x', role: 'station' })).toMatchObject({ status: 400 }); // no stationIds
    expect(await post('tap-2', { name: 'x', role: 'station', stationIds: ['s-2'] })).toMatchObject({
      status: 201,
    });
    expect(await post('', { name: 'x', role: 'auditor' })).toMatchObject({
      status: 400,
      body: { code: 'VALIDATION_FAILED' },
    });
    expect(await post('é'.repeat(3), { name: 'x', role: 'auditor' })).toMatchObject({
      status: 400,
    });
  });

  it('answers a domain refusal again for the same key, and remembers keys across a restart', async () => {
    const taken = { id: 'dup', name: 'a', role: 'auditor' };
    expect(await post(undefined, taken)).toMatchObject({ status: 201 });
    const refused = await post('tap-3', taken);
    expect(refused).toMatchObject({ status: 409, body: { code: 'ALREADY_EXISTS' } });
    expect(await post('tap-3', taken)).toMatchObject({
      status: 409,
      body: refused.body,
      replayed: 'true',
    });
    const before = await post('tap-4', { name: '审计', role: 'auditor' });
    await app.close();
    await open();
    expect(await post('tap-4', { name: '审计', role: 'auditor' })).toMatchObject({
      status: 201,
      body: before.body,
      replayed: 'true',
    });
  });
});
