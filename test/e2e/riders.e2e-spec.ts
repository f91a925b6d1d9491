import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { tempDir } from '@ledger/testing';
import { apiClient, openTestApi } from './api-fixture';

/** Riders, awards and balances over HTTP, with the scope of each caller. */
describe('riders and awards', () => {
  const dir = tempDir();
  let app: NestFastifyApplication;
  const tokens: Record<string, string> = {};

  const call = (...args: Parameters<ReturnType<typeof apiClient>>) => apiClient(app)(...args);

  beforeAll(async () => {
    app = await openTestApi(dir.path);
    for (const [id, street] of [
      ['c1', '几江街道'],
      ['c2', '鼎山街道'],
    ]) {
      await call('POST', '/v1/communities', { id, name: id, street, district: '江津区' });
    }
    await call('POST', '/v1/funds', {
      id: 'f1',
      name: '专项资金',
      district: '江津区',
      budgetPoints: 100_000,
    });
    await call('PUT', '/v1/rules', {
      rules: [{ activity: 'patrol', points: 20, maxPointsPerRiderPerDay: 40 }],
    });
    await call('POST', '/v1/stations', {
      id: 's1',
      name: '驿站',
      district: '江津区',
      kind: 'station',
    });
    const principals = [
      { id: 'staff-c1', name: 's', role: 'staff', communityIds: ['c1'] },
      { id: 'station-1', name: 'st', role: 'station', stationIds: ['s1'] },
    ];
    for (const p of principals)
      tokens[p.id] = (await call('POST', '/v1/principals', p)).body.token as string;
  });
  afterAll(async () => {
    await app.close();
    dir.remove();
  });

  it('lets staff register riders in their own community only', async () => {
    const rider = {
      id: 'r1',
      communityId: 'c1',
      platform: '美团',
      occupation: 'food_delivery',
      name: '张小哥',
      phone: '13800138000',
    };
    expect(await call('POST', '/v1/riders', rider, tokens['staff-c1'])).toMatchObject({
      status: 201,
      body: { id: 'r1', name: '张小哥' },
    });
    // A rider principal is scoped to a rider that exists: r1's, once r1 is registered.
    const principal = { id: 'rider-r1', name: 'r', role: 'rider', riderId: 'r1' };
    tokens['rider-r1'] = (await call('POST', '/v1/principals', principal)).body.token as string;
    expect(
      await call(
        'POST',
        '/v1/riders',
        { ...rider, id: 'r2', communityId: 'c2' },
        tokens['staff-c1'],
      ),
    ).toMatchObject({ status: 403, body: { code: 'FORBIDDEN' } });
    expect(
      await call('POST', '/v1/riders', { ...rider, id: 'r2', communityId: 'c2', phone: undefined }),
    ).toMatchObject({ status: 201 });
    expect(await call('POST', '/v1/riders', rider)).toMatchObject({
      status: 409,
      body: { code: 'ALREADY_EXISTS' },
    });
  });

  it('gives one phone number to one rider of the district, naming the rider that has it', async () => {
    const second = {
      id: 'r9',
      communityId: 'c2',
      platform: '饿了么',
      occupation: 'food_delivery',
      name: '张小哥',
      phone: '+86 138-0013-8000',
    };
    const refused = await call('POST', '/v1/riders', second);
    expect(refused).toMatchObject({
      status: 409,
      body: {
        code: 'ALREADY_EXISTS',
        riderId: 'r1',
        detail: expect.stringMatching(/transfer/) as unknown,
      },
    });
    expect(await call('GET', '/v1/riders/r9')).toMatchObject({ status: 404 });
    // Finding by the number finds the rider that has it, however the number is written.
    const found = await call('GET', `/v1/riders?q=${encodeURIComponent('138 0013 8000')}`);
    expect(found.body).toMatchObject({ items: [{ id: 'r1' }] });
    // A move is a transfer: the rider keeps its number, its points and its id.
    expect(await call('POST', '/v1/riders/r1/transfer', { communityId: 'c2' })).toMatchObject({
      status: 200,
      body: { id: 'r1', communityId: 'c2' },
    });
    expect(await call('POST', '/v1/riders/r1/transfer', { communityId: 'c1' })).toMatchObject({
      status: 200,
    });
  });

  it('answers scope before existence: 403 for a community that is not the staff’s, even one that does not exist', async () => {
    const rider = {
      communityId: 'nowhere',
      platform: '美团',
      occupation: 'courier',
      name: '李小哥',
    };
    expect(await call('POST', '/v1/riders', rider, tokens['staff-c1'])).toMatchObject({
      status: 403,
      body: { code: 'FORBIDDEN' },
    });
    expect(await call('POST', '/v1/riders', rider)).toMatchObject({
      status: 404,
      body: { code: 'NOT_FOUND' },
    });
    const move = { communityId: 'nowhere' };
    for (const id of ['r1', 'no-such-rider'])
      expect(
        await call('POST', `/v1/riders/${id}/transfer`, move, tokens['staff-c1']),
      ).toMatchObject({ status: 403, body: { code: 'FORBIDDEN' } });
    expect(await call('POST', '/v1/riders/r1/transfer', move)).toMatchObject({
      status: 404,
      body: { code: 'NOT_FOUND' },
    });
  });

  it('awards within the rules and reads the balance it wrote', async () => {
    const award = await call(
      'POST',
      '/v1/awards',
      {
        riderId: 'r1',
        activity: 'patrol',
        fundId: 'f1',
        reason: '夜间巡逻',
        occurredAt: new Date(Date.now() - 3_600_000).toISOString(),
      },
      tokens['staff-c1'],
    );
    expect(award).toMatchObject({
      status: 201,
      body: { riderId: 'r1', points: 20, balanceAfter: 20, ruleVersion: 1 },
    });
    const balance = await call(
      'GET',
      `/v1/riders/r1/balance?minPosition=${String(award.body.position)}`,
      undefined,
      tokens['rider-r1'],
    );
    expect(balance).toMatchObject({
      status: 200,
      body: { riderId: 'r1', balance: 20, earned: 20, redeemed: 0, reversed: 0 },
    });
    const rider = await call(
      'GET',
      `/v1/riders/r1?minPosition=${String(award.body.position)}`,
      undefined,
      tokens['rider-r1'],
    );
    expect(rider).toMatchObject({
      status: 200,
      body: {
        id: 'r1',
        communityId: 'c1',
        occupation: 'food_delivery',
        name: '张小哥',
        balance: 20,
        badges: [],
      },
    });
    expect(await call('GET', '/v1/riders/r2', undefined, tokens['rider-r1'])).toMatchObject({
      status: 403,
    });
    const ledger = await call(
      'GET',
      `/v1/riders/r1/ledger?minPosition=${String(award.body.position)}`,
      undefined,
      tokens['rider-r1'],
    );
    expect(ledger).toMatchObject({
      status: 200,
      body: {
        items: [
          { type: 'award', points: 20, balanceAfter: 20, activity: 'patrol', actor: 'staff-c1' },
        ],
        nextCursor: null,
      },
    });

    // Newest first on request; a value that is neither order is refused by name.
    expect(await call('GET', '/v1/riders/r1/ledger?order=desc&limit=1')).toMatchObject({
      status: 200,
      body: { items: [{ type: 'award', points: 20 }], nextCursor: null },
    });
    expect(await call('GET', '/v1/riders/r1/ledger?order=newest')).toMatchObject({
      status: 400,
      body: { code: 'VALIDATION_FAILED', errors: [{ field: 'order' }] },
    });
  });

  it('answers the rules and scopes: 422 over the rule, 403 for another community or another rider', async () => {
    const when = new Date(Date.now() - 3_600_000).toISOString();
    const award = {
      riderId: 'r1',
      activity: 'patrol',
      fundId: 'f1',
      reason: 'x',
      occurredAt: when,
    };
    expect(
      await call('POST', '/v1/awards', { ...award, points: 30 }, tokens['staff-c1']),
    ).toMatchObject({ status: 422, body: { code: 'RULE_VIOLATION' } });
    expect(
      await call('POST', '/v1/awards', { ...award, riderId: 'r2' }, tokens['staff-c1']),
    ).toMatchObject({ status: 403, body: { code: 'FORBIDDEN' } });
    expect(
      await call('POST', '/v1/awards', {
        ...award,
        occurredAt: new Date(Date.now() + 3_600_000).toISOString(),
      }),
    ).toMatchObject({ status: 422 });
    expect(await call('POST', '/v1/awards', { ...award, fundId: 'nope' })).toMatchObject({
      status: 404,
      body: { code: 'NOT_FOUND' },
    });
    expect(await call('GET', '/v1/riders/r2/balance', undefined, tokens['rider-r1'])).toMatchObject(
      { status: 403 },
    );
    expect(await call('GET', '/v1/riders/r2/balance', undefined, tokens['staff-c1'])).toMatchObject(
      { status: 403 },
    );
    expect(await call('GET', '/v1/riders/nobody/balance')).toMatchObject({ status: 404 });
    expect(await call('POST', '/v1/awards', { ...award, points: 1.5 })).toMatchObject({
      status: 400,
      body: { code: 'VALIDATION_FAILED' },
    });

    // An id of the wrong form is explained in words, in the body and in the path alike.
    const inWords: unknown = expect.stringMatching(/letters, digits, dots, dashes or underscores/);
    const badBody = await call('POST', '/v1/awards', { ...award, riderId: 'r 1' });
    expect(badBody).toMatchObject({
      status: 400,
      body: { errors: [{ field: 'riderId', message: inWords }] },
    });
    const badPath = await call('GET', `/v1/riders/${'x'.repeat(65)}/balance`);
    expect(badPath).toMatchObject({
      status: 400,
      body: { errors: [{ field: 'id', message: inWords }] },
    });
    expect(JSON.stringify([badBody, badPath])).not.toMatch(/\^|\[A-Za-z/);
  });
});
