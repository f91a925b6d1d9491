import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { tempDir } from '@ledger/testing';
import { ADMIN_TOKEN, apiClient, openTestApi } from './api-fixture';

/**
 * What a hostile client tried (issue 10), each answered as a clear 4xx with nothing written:
 * never a 5xx, never an internal word in a body.
 */
describe('a hostile client', () => {
  const dir = tempDir();
  let app: NestFastifyApplication;
  const call = (...args: Parameters<ReturnType<typeof apiClient>>) => apiClient(app)(...args);
  const raw = (method: string, url: string, payload: string | Buffer, headers = {}) =>
    app.inject({
      method: method as 'POST',
      url,
      payload,
      headers: {
        authorization: `Bearer ${ADMIN_TOKEN}`,
        'content-type': 'application/json',
        ...headers,
      },
    });
  const communities = async () =>
    ((await call('GET', '/v1/communities')).body.items as { id: string }[]).map((c) => c.id);

  beforeAll(async () => {
    app = await openTestApi(dir.path);
  });
  afterAll(async () => {
    await app.close();
    dir.remove();
  });

  it('is told a body nested too deep is refused, not a 500', async () => {
    const deep = '{"a":'.repeat(2000) + '1' + '}'.repeat(2000);
    const res = await raw('POST', '/v1/communities', deep);
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({
      code: 'VALIDATION_FAILED',
      detail: 'the request body is nested more than 32 levels deep',
    });
    // Deep inside strings is only text: a name with brackets is fine.
    const fine = await call('POST', '/v1/communities', {
      id: 'brackets',
      name: '[['.repeat(40),
      street: '几江街道',
      district: '江津区',
    });
    expect(fine.status).toBe(201);
  });

  it('cannot slip fields named after Object.prototype past validation', async () => {
    for (const key of ['hasOwnProperty', 'toString', 'valueOf', '__defineGetter__']) {
      const body = { id: `proto-${key}`, name: 'n', street: 's', district: 'd', [key]: 1 };
      const res = await call('POST', '/v1/communities', body);
      expect([key, res.status, res.body.errors]).toEqual([
        key,
        400,
        [{ field: key, message: `property ${key} should not exist` }],
      ]);
    }
    expect((await communities()).filter((id) => id.startsWith('proto-'))).toEqual([]);
  });

  it('has a null refused, not taken as absent', async () => {
    const res = await call('POST', '/v1/funds', {
      id: 'f-null',
      name: 'n',
      district: '江津区',
      budgetPoints: null,
    });
    expect(res.status).toBe(400);
    expect(res.body.errors).toEqual([
      { field: 'budgetPoints', message: 'budgetPoints must not be null; leave it out instead' },
    ]);
    const rules = await call('PUT', '/v1/rules', {
      rules: [{ activity: 'patrol', points: null, maxPointsPerRiderPerDay: 40 }],
    });
    expect(rules.status).toBe(400);
    expect(rules.body.errors).toEqual([
      { field: 'rules.0.points', message: 'rules.0.points must not be null; leave it out instead' },
    ]);
  });

  it('has a body that is not UTF-8 refused, not stored as U+FFFD', async () => {
    const body = Buffer.concat([
      Buffer.from('{"id":"bad-utf8","name":"'),
      Buffer.from([0xe5, 0xbc]), // half of 张
      Buffer.from('","street":"s","district":"d"}'),
    ]);
    const res = await raw('POST', '/v1/communities', body);
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ detail: 'the request body is not valid UTF-8' });
    expect(await communities()).not.toContain('bad-utf8');
  });

  it('never reads a database error code in an answer', async () => {
    for (const url of [
      '/v1/communities?minPosition=1e308',
      '/v1/riders/r1/balance?minPosition=99999999999999999999',
    ]) {
      const res = await call('GET', url);
      expect([url, res.status]).toEqual([url, 400]);
      expect(JSON.stringify(res.body)).not.toMatch(/\b(22P02|22003|SQL|pg|sqlState)\b/i);
    }
  });

  it('cannot take the bootstrap admin’s id', async () => {
    const impostor = await call('POST', '/v1/principals', {
      id: 'admin',
      name: 'not the admin',
      role: 'admin',
    });
    expect(impostor.status).toBe(409);
    expect(impostor.body).toMatchObject({ code: 'ALREADY_EXISTS' });
    expect(impostor.body.token).toBeUndefined();
  });

  it('cannot create a principal scoped to a community, station or rider that does not exist', async () => {
    for (const scope of [
      { role: 'staff', communityIds: ['c-nowhere'] },
      { role: 'station', stationIds: ['s-nowhere'] },
      { role: 'rider', riderId: 'r-nowhere' },
    ]) {
      const res = await call('POST', '/v1/principals', { name: 'n', ...scope });
      expect([scope.role, res.status, res.body.code]).toEqual([scope.role, 404, 'NOT_FOUND']);
    }
  });

  it('has a top-ten selection of at most ten', async () => {
    const res = await call('POST', '/v1/selections', { district: '江津区', year: 2026, size: 11 });
    expect(res.status).toBe(400);
    expect(res.body.errors).toEqual([
      { field: 'size', message: 'size must not be greater than 10' },
    ]);
  });

  it('gets HEAD wherever GET works, and no answer a browser may sniff or keep', async () => {
    const head = await app.inject({
      method: 'HEAD',
      url: '/v1/communities',
      headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
    });
    expect(head.statusCode).toBe(200);
    expect(head.body).toBe('');
    for (const url of ['/v1/communities', '/v1/nowhere', '/health']) {
      const res = await call('GET', url);
      expect([url, res.headers['x-content-type-options'], res.headers['cache-control']]).toEqual([
        url,
        'nosniff',
        'no-store',
      ]);
    }
  });

  it('has an unknown method answered as a problem', async () => {
    const res = await app.inject({ method: 'PROPFIND' as 'GET', url: '/v1/communities' });
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(res.json()).toMatchObject({ code: 'NOT_FOUND' });
  });
});
