import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { tempDir } from '@ledger/testing';
import { apiClient, openTestApi, setUpDistrict } from './api-fixture';

/** Stations, catalogue and stock; redemptions and cancellations; reversals of awards. */
describe('stations, redemptions and reversals', () => {
  const dir = tempDir();
  let app: NestFastifyApplication;
  let call: ReturnType<typeof apiClient>;
  const tokens: Record<string, string> = {};
  const hourAgo = () => new Date(Date.now() - 3_600_000).toISOString();
  const award = (riderId: string, token?: string) =>
    call(
      'POST',
      '/v1/awards',
      { riderId, activity: 'rescue', fundId: 'f1', reason: '救助落水群众', occurredAt: hourAgo() },
      token,
    );

  beforeAll(async () => {
    app = await openTestApi(dir.path);
    call = apiClient(app);
    Object.assign(
      tokens,
      await setUpDistrict(call, {
        communities: { c1: '几江街道', c2: '鼎山街道' },
        budgetPoints: 10_000,
        rules: [{ activity: 'rescue', points: 100 }],
        riders: { r1: 'c1', r2: 'c2', r3: 'c1' },
        stations: [
          { id: 's1', name: '几江街道小哥驿站', kind: 'station', communityId: 'c1' },
          { id: 's2', name: '江津区小哥兑换中心', kind: 'centre' },
        ],
        principals: [
          { id: 'station-s1', name: '几江驿站', role: 'station', stationIds: ['s1'] },
          { id: 'station-s2', name: '鼎山驿站', role: 'station', stationIds: ['s2'] },
          { id: 'staff-c2', name: '鼎山社区', role: 'staff', communityIds: ['c2'] },
          { id: 'rider-r1', name: '骑手一', role: 'rider', riderId: 'r1' },
          { id: 'rider-r3', name: '骑手三', role: 'rider', riderId: 'r3' },
        ],
      }),
    );
  });
  afterAll(async () => {
    await app.close();
    dir.remove();
  });

  it('registers stations and keeps their catalogue and stock, each station its own', async () => {
    // s1 and s2 were registered before the principals scoped to them (setUpDistrict).
    const station = { id: 's1', name: '几江街道小哥驿站', district: '江津区', kind: 'station' };
    expect(await call('GET', '/v1/stations/s1')).toMatchObject({
      status: 200,
      body: { id: 's1', communityId: 'c1', kind: 'station' },
    });
    expect(await call('POST', '/v1/stations', station)).toMatchObject({
      status: 409,
      body: { code: 'ALREADY_EXISTS' },
    });
    expect(
      await call('POST', '/v1/stations', { ...station, id: 's9', communityId: 'nowhere' }),
    ).toMatchObject({ status: 404, body: { code: 'NOT_FOUND' } });
    const centre = await call('POST', '/v1/stations', {
      id: 's4',
      name: '永川区小哥兑换中心',
      district: '永川区',
      kind: 'centre',
    });
    expect(centre).toMatchObject({ status: 201, body: { communityId: null, kind: 'centre' } });
    expect(
      await call('GET', `/v1/stations/s4?minPosition=${String(centre.body.position)}`),
    ).toMatchObject({ status: 200, body: { id: 's4', name: '永川区小哥兑换中心' } });
    expect(await call('GET', '/v1/stations/s2')).toMatchObject({
      status: 200,
      body: { communityId: null, kind: 'centre' },
    });
    expect(await call('GET', '/v1/stations/nowhere')).toMatchObject({ status: 404 });
    expect(
      await call('POST', '/v1/stations', { ...station, id: 's3', kind: 'kiosk' }),
    ).toMatchObject({ status: 400, body: { errors: [{ field: 'kind' }] } });

    const raincoat = { name: '雨衣', kind: 'goods', pricePoints: 150 };
    expect(
      await call('PUT', '/v1/stations/s1/items/raincoat', raincoat, tokens['station-s1']),
    ).toMatchObject({
      status: 200,
      body: { sku: 'raincoat', name: '雨衣', pricePoints: 150, stock: 0 },
    });
    expect(
      await call('PUT', '/v1/stations/s1/items/raincoat', raincoat, tokens['station-s2']),
    ).toMatchObject({ status: 403, body: { code: 'FORBIDDEN' } });
    expect(
      await call('PUT', '/v1/stations/s1/items/raincoat', { ...raincoat, pricePoints: 0 }),
    ).toMatchObject({ status: 400, body: { errors: [{ field: 'pricePoints' }] } });
    expect(await call('PUT', '/v1/stations/nowhere/items/raincoat', raincoat)).toMatchObject({
      status: 404,
    });
    expect(
      await call(
        'POST',
        '/v1/stations/s1/items/raincoat/restock',
        { quantity: 3 },
        tokens['station-s1'],
      ),
    ).toMatchObject({ status: 200, body: { sku: 'raincoat', stock: 3 } });
    expect(
      await call('POST', '/v1/stations/s1/items/helmet/restock', { quantity: 3 }),
    ).toMatchObject({ status: 404 });
    expect(
      await call('POST', '/v1/stations/s1/items/raincoat/restock', { quantity: 100_001 }),
    ).toMatchObject({ status: 400, body: { errors: [{ field: 'quantity' }] } });
    const priced = await call('PUT', '/v1/stations/s1/items/voucher-50', {
      name: '商场代金券50元',
      kind: 'voucher',
      pricePoints: 500,
    });
    expect(priced.body).toMatchObject({ stock: 0 });
    const items = await call(
      'GET',
      `/v1/stations/s1/items?minPosition=${String(priced.body.position)}`,
      undefined,
      tokens['station-s2'],
    );
    expect(items).toMatchObject({
      status: 200,
      body: {
        items: [
          { sku: 'raincoat', name: '雨衣', kind: 'goods', pricePoints: 150, stock: 3 },
          { sku: 'voucher-50', kind: 'voucher', pricePoints: 500, stock: 0 },
        ],
      },
    });
  });

  it('redeems at the caller’s station only, writing nothing when balance or stock is short', async () => {
    await award('r1');
    await award('r1'); // balance 200
    const redeem = (items: unknown, stationId = 's1', token = tokens['station-s1']) =>
      call('POST', '/v1/redemptions', { riderId: 'r1', stationId, items }, token);
    expect(await redeem([{ sku: 'raincoat', quantity: 2 }])).toMatchObject({
      status: 409,
      body: { code: 'INSUFFICIENT_BALANCE' },
    });
    expect(await redeem([{ sku: 'raincoat', quantity: 1 }], 's2')).toMatchObject({ status: 403 });
    expect(await redeem([{ sku: 'voucher-50', quantity: 0 }])).toMatchObject({ status: 400 });
    expect(await redeem([])).toMatchObject({ status: 400, body: { errors: [{ field: 'items' }] } });
    const made = await redeem([{ sku: 'raincoat', quantity: 1 }]);
    expect(made).toMatchObject({
      status: 201,
      body: { riderId: 'r1', stationId: 's1', points: 150, balanceAfter: 50 },
    });
    const items = await call(
      'GET',
      `/v1/stations/s1/items?minPosition=${String(made.body.position)}`,
    );
    expect(items.body.items).toEqual(
      expect.arrayContaining([expect.objectContaining({ sku: 'raincoat', stock: 2 })]),
    );
    await award('r1'); // balance 150
    await call('POST', '/v1/stations/s1/items/voucher-50/restock', { quantity: 1 });
    expect(await redeem([{ sku: 'voucher-50', quantity: 2 }])).toMatchObject({
      status: 409,
      body: { code: 'OUT_OF_STOCK' },
    });
    const balance = await call('GET', '/v1/riders/r1/balance', undefined, tokens['station-s2']);
    expect(balance.body).toMatchObject({ balance: 150, redeemed: 150 });

    const id = made.body.redemptionId as string;
    expect(
      await call(
        'POST',
        `/v1/redemptions/${id}/cancellation`,
        { reason: '误操作' },
        tokens['station-s2'],
      ),
    ).toMatchObject({ status: 403 });
    const cancelled = await call(
      'POST',
      `/v1/redemptions/${id}/cancellation`,
      { reason: '误操作' },
      tokens['station-s1'],
    );
    expect(cancelled).toMatchObject({
      status: 201,
      body: { redemptionId: id, stationId: 's1', points: 150, balanceAfter: 300 },
    });
    expect(
      await call('POST', `/v1/redemptions/${id}/cancellation`, { reason: '再次' }),
    ).toMatchObject({ status: 409, body: { code: 'ALREADY_CANCELLED' } });
    expect(
      await call('POST', '/v1/redemptions/nothing-here/cancellation', { reason: 'x' }),
    ).toMatchObject({ status: 404 });
    expect(await call('POST', `/v1/redemptions/${id}/cancellation`, {})).toMatchObject({
      status: 400,
      body: {
        errors: expect.arrayContaining([expect.objectContaining({ field: 'reason' })]) as unknown,
      },
    });
    const after = await call(
      'GET',
      `/v1/stations/s1/items?minPosition=${String(cancelled.body.position)}`,
    );
    expect(after.body.items).toEqual(
      expect.arrayContaining([expect.objectContaining({ sku: 'raincoat', stock: 3 })]),
    );
  });

  it('answers a redemption as a receipt and a station’s day, each to whom it concerns', async () => {
    await award('r3');
    await award('r3');
    const made = await call(
      'POST',
      '/v1/redemptions',
      { riderId: 'r3', stationId: 's1', items: [{ sku: 'raincoat', quantity: 1 }] },
      tokens['station-s1'],
    );
    const id = made.body.redemptionId as string;
    const read = (url: string, token?: string) =>
      call(
        'GET',
        `${url}${url.includes('?') ? '&' : '?'}minPosition=${String(made.body.position)}`,
        undefined,
        token,
      );
    expect(await read(`/v1/redemptions/${id}`, tokens['station-s1'])).toMatchObject({
      status: 200,
      body: {
        redemptionId: id,
        stationId: 's1',
        riderId: 'r3',
        items: [{ sku: 'raincoat', name: '雨衣', quantity: 1, pricePoints: 150 }],
        points: 150,
        servedBy: 'station-s1',
        cancelled: false,
        cancelledAt: null,
      },
    });
    expect(await read(`/v1/redemptions/${id}`, tokens['rider-r3'])).toMatchObject({ status: 200 });
    for (const other of ['station-s2', 'rider-r1', 'staff-c2'])
      expect(await read(`/v1/redemptions/${id}`, tokens[other])).toMatchObject({ status: 403 });
    expect(await read('/v1/redemptions/no-such-one')).toMatchObject({ status: 404 });
    // The station's day: today's redemptions, the cancelled one of the test before included.
    const day = await read('/v1/redemptions?stationId=s1', tokens['station-s1']);
    expect(day.status).toBe(200);
    const items = day.body.items as { redemptionId: string; riderId: string; cancelled: boolean }[];
    expect(items.map((r) => [r.riderId, r.cancelled])).toEqual([
      ['r1', true],
      ['r3', false],
    ]);
    expect(await read('/v1/redemptions?stationId=s1', tokens['station-s2'])).toMatchObject({
      status: 403,
    });
    expect(await read('/v1/redemptions?stationId=s1&day=2026-02-30')).toMatchObject({
      status: 400,
      body: { errors: [{ field: 'day' }] },
    });
    expect((await read('/v1/redemptions?stationId=s1&day=2020-01-01')).body).toEqual({
      items: [],
      nextCursor: null,
    });
    // The rider's ledger line of a redemption carries its items.
    const lines = await read('/v1/riders/r3/ledger?order=desc&limit=1');
    expect(lines.body.items).toEqual([
      expect.objectContaining({
        type: 'redemption',
        items: [{ sku: 'raincoat', quantity: 1, pricePoints: 150 }],
      }),
    ]);
  });

  it('reverses an award right after it, once, and never below a zero balance', async () => {
    const given = await award('r2', tokens['staff-c2']);
    const entryId = given.body.entryId as string;
    // no minPosition: the route itself waits for the read model when the award is not in it yet
    const reversed = await call(
      'POST',
      `/v1/awards/${entryId}/reversal`,
      { reason: '重复录入' },
      tokens['staff-c2'],
    );
    expect(reversed).toMatchObject({
      status: 201,
      body: { reversalOf: entryId, points: 100, balanceAfter: 0 },
    });
    expect(await call('POST', `/v1/awards/${entryId}/reversal`, { reason: '再次' })).toMatchObject({
      status: 409,
      body: { code: 'ALREADY_REVERSED' },
    });
    expect(await call('POST', '/v1/awards/no-such-award/reversal', { reason: 'x' })).toMatchObject({
      status: 404,
    });
    const r1Award = await award('r1');
    expect(
      await call(
        'POST',
        `/v1/awards/${String(r1Award.body.entryId)}/reversal`,
        { reason: 'x' },
        tokens['staff-c2'],
      ),
    ).toMatchObject({ status: 403, body: { code: 'FORBIDDEN' } });
    const spent = await award('r2');
    await call('PUT', '/v1/stations/s2/items/water', {
      name: '矿泉水',
      kind: 'goods',
      pricePoints: 60,
    });
    await call('POST', '/v1/stations/s2/items/water/restock', { quantity: 10 });
    await call('POST', '/v1/redemptions', {
      riderId: 'r2',
      stationId: 's2',
      items: [{ sku: 'water', quantity: 1 }],
    });
    expect(
      await call('POST', `/v1/awards/${String(spent.body.entryId)}/reversal`, { reason: 'x' }),
    ).toMatchObject({ status: 409, body: { code: 'INSUFFICIENT_BALANCE' } });
    const fund = await call('GET', '/v1/funds/f1');
    expect(fund.body).toMatchObject({ reversedPoints: 100 });
  });

  it('redeems once for a double tap: the same key answers the first response again', async () => {
    await award('r1');
    const body = { riderId: 'r1', stationId: 's1', items: [{ sku: 'raincoat', quantity: 1 }] };
    const tap = () =>
      call('POST', '/v1/redemptions', body, tokens['station-s1'], {
        'idempotency-key': 'tap-0001',
      });
    const [first, second] = await Promise.all([tap(), tap()]);
    const answers = [first, second].sort((a, b) => a.status - b.status);
    // both taps at once: one redeems, the other is told the first is still running, or replays it
    expect(answers[0]).toMatchObject({ status: 201 });
    expect([201, 409]).toContain(answers[1].status);
    const third = await tap();
    expect(third).toMatchObject({ status: 201, body: answers[0].body });
    expect(third.headers['idempotent-replayed']).toBe('true');
    expect(
      await call(
        'POST',
        '/v1/redemptions',
        { ...body, items: [{ sku: 'raincoat', quantity: 2 }] },
        tokens['station-s1'],
        { 'idempotency-key': 'tap-0001' },
      ),
    ).toMatchObject({ status: 409, body: { code: 'IDEMPOTENCY_KEY_REUSED' } });
    const ledger = await call('GET', '/v1/riders/r1/ledger?limit=1000');
    const lines = ledger.body.items as { entryId: string }[];
    expect(lines.filter((l) => l.entryId === answers[0].body.redemptionId)).toHaveLength(1);
  });
});
