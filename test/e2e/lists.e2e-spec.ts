import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { tempDir } from '@ledger/testing';
import { apiClient, openTestApi, setUpDistrict } from './api-fixture';

/** Finding things without knowing their ids: who am I, and the lists, each within its scope. */
describe('who am I, and the lists', () => {
  const dir = tempDir();
  let app: NestFastifyApplication;
  let tokens: Record<string, string> = {};
  const call = (...args: Parameters<ReturnType<typeof apiClient>>) => apiClient(app)(...args);
  const names: Record<string, { name: string; phone?: string }> = {
    r1: { name: '张小哥', phone: '13800000001' },
    r2: { name: '张大哥', phone: '13800000002' },
    r3: { name: '李小哥', phone: '13800000003' },
    r4: { name: '王小哥' },
  };

  beforeAll(async () => {
    app = await openTestApi(dir.path);
    tokens = await setUpDistrict(call, {
      communities: { c1: '几江街道', c2: '几江街道', c3: '鼎山街道' },
      rules: [{ activity: 'patrol', points: 10 }],
      riders: { r1: 'c1', r2: 'c1', r3: 'c2', r4: 'c3' },
      personal: (id) => names[id],
      stations: [
        { id: 's1', name: 's1驿站', kind: 'station' },
        { id: 's2', name: 's2驿站', kind: 'station' },
        { id: 's3', name: 's3驿站', kind: 'station', district: '永川区' },
      ],
      principals: [
        { id: 'staff-c1', name: '几江社区工作站', role: 'staff', communityIds: ['c1'] },
        { id: 'verifier-c3', name: '鼎山街道城管', role: 'verifier', communityIds: ['c3'] },
        { id: 'station-s1', name: '驿站', role: 'station', stationIds: ['s1'] },
        { id: 'rider-r1', name: '张小哥', role: 'rider', riderId: 'r1' },
        { id: 'auditor', name: '纪委', role: 'auditor' },
      ],
    });
    await call('PUT', '/v1/badges', {
      badges: [{ id: 'bronze', name: '铜牌小哥', thresholdPoints: 100 }],
    });
    await call('DELETE', '/v1/riders/r4/personal-data');
  });
  afterAll(async () => {
    await app.close();
    dir.remove();
  });

  it('tells a principal who it is and what it may act on', async () => {
    expect(await call('GET', '/v1/me', undefined, tokens['staff-c1'])).toEqual(
      expect.objectContaining({
        status: 200,
        body: {
          id: 'staff-c1',
          name: '几江社区工作站',
          role: 'staff',
          communityIds: ['c1'],
          stationIds: [],
          riderId: null,
          categories: [],
          timeZone: 'Asia/Shanghai',
          now: expect.stringMatching(
            /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}\+08:00$/,
          ) as string,
        },
      }),
    );
    expect(await call('GET', '/v1/me', undefined, tokens['rider-r1'])).toMatchObject({
      status: 200,
      body: { id: 'rider-r1', role: 'rider', riderId: 'r1' },
    });
    expect(await call('GET', '/v1/me')).toMatchObject({
      status: 200,
      body: { id: 'admin', role: 'admin', communityIds: [] },
    });
  });

  it('lists communities in order, filtered, paged, and only the caller’s for staff', async () => {
    const all = await call('GET', '/v1/communities?limit=2');
    expect(all.body.items).toEqual([
      { id: 'c1', name: 'c1', street: '几江街道', district: '江津区' },
      { id: 'c2', name: 'c2', street: '几江街道', district: '江津区' },
    ]);
    const next = await call('GET', `/v1/communities?limit=2&cursor=${String(all.body.nextCursor)}`);
    expect(next.body).toEqual({
      items: [{ id: 'c3', name: 'c3', street: '鼎山街道', district: '江津区' }],
      nextCursor: null,
    });
    const street = await call('GET', `/v1/communities?street=${encodeURIComponent('鼎山街道')}`);
    expect((street.body.items as { id: string }[]).map((c) => c.id)).toEqual(['c3']);
    const staff = await call('GET', '/v1/communities', undefined, tokens['staff-c1']);
    expect((staff.body.items as { id: string }[]).map((c) => c.id)).toEqual(['c1']);
    const verifier = await call('GET', '/v1/communities', undefined, tokens['verifier-c3']);
    expect((verifier.body.items as { id: string }[]).map((c) => c.id)).toEqual(['c3']);
  });

  it('finds riders by phone or name prefix with their names, within the staff’s communities', async () => {
    const byPhone = await call('GET', '/v1/riders?q=13800000003');
    expect(byPhone.body.items).toEqual([
      expect.objectContaining({ id: 'r3', communityId: 'c2', name: '李小哥', platform: '美团' }),
    ]);
    const byName = await call('GET', `/v1/riders?q=${encodeURIComponent('张')}`);
    expect((byName.body.items as { id: string }[]).map((r) => r.id)).toEqual(['r1', 'r2']);
    // Staff: their communities only; asking for another is refused, finding in it finds nothing.
    const staffAll = await call('GET', '/v1/riders', undefined, tokens['staff-c1']);
    expect((staffAll.body.items as { id: string }[]).map((r) => r.id)).toEqual(['r1', 'r2']);
    expect(
      await call('GET', '/v1/riders?communityId=c2', undefined, tokens['staff-c1']),
    ).toMatchObject({
      status: 403,
      body: { code: 'FORBIDDEN' },
    });
    const other = await call('GET', '/v1/riders?q=13800000003', undefined, tokens['staff-c1']);
    expect(other.body).toEqual({ items: [], nextCursor: null });
    expect(await call('GET', '/v1/riders', undefined, tokens['station-s1'])).toMatchObject({
      status: 403,
    });
    // An erased rider: listed by id with no name, never found by what it was called.
    const c3 = await call('GET', '/v1/riders?communityId=c3', undefined, tokens.auditor);
    expect(c3.body.items).toEqual([expect.objectContaining({ id: 'r4', name: null })]);
    expect((await call('GET', `/v1/riders?q=${encodeURIComponent('王')}`)).body.items).toEqual([]);
  });

  it('lists stations, funds, principals (never a token) and badges', async () => {
    const stations = await call(
      'GET',
      `/v1/stations?district=${encodeURIComponent('江津区')}`,
      undefined,
      tokens['rider-r1'],
    );
    expect((stations.body.items as { id: string }[]).map((s) => s.id)).toEqual(['s1', 's2']);
    expect(await call('GET', '/v1/funds', undefined, tokens['staff-c1'])).toMatchObject({
      status: 200,
      body: {
        items: [{ id: 'f1', budgetPoints: 100_000, remainingPoints: 100_000 }],
        nextCursor: null,
      },
    });
    expect(await call('GET', '/v1/funds', undefined, tokens['rider-r1'])).toMatchObject({
      status: 403,
    });
    const staff = await call('GET', '/v1/principals?role=staff');
    expect(staff.body.items).toEqual([
      {
        id: 'staff-c1',
        name: '几江社区工作站',
        role: 'staff',
        communityIds: ['c1'],
        stationIds: [],
        riderId: null,
        revoked: false,
      },
    ]);
    const everyone = JSON.stringify((await call('GET', '/v1/principals?limit=200')).body);
    expect(everyone).not.toMatch(/token/i);
    for (const token of Object.values(tokens)) expect(everyone).not.toContain(token);
    expect(await call('GET', '/v1/principals', undefined, tokens.auditor)).toMatchObject({
      status: 403,
    });
    expect(await call('GET', '/v1/badges', undefined, tokens['rider-r1'])).toMatchObject({
      status: 200,
      body: { badges: [{ id: 'bronze', name: '铜牌小哥', thresholdPoints: 100 }] },
    });
  });

  it('refuses a page size over 200 and a cursor it never gave', async () => {
    expect(await call('GET', '/v1/communities?limit=201')).toMatchObject({
      status: 400,
      body: { code: 'VALIDATION_FAILED', errors: [{ field: 'limit' }] },
    });
    expect(await call('GET', '/v1/riders?cursor=bm90LWEtY3Vyc29y')).toMatchObject({
      status: 400,
      body: { code: 'VALIDATION_FAILED' },
    });
  });

  it('answers a list of a place the ledger does not know as 404, not an empty page', async () => {
    const unknown = [
      '/v1/communities?district=%E6%9C%AA%E7%9F%A5%E5%8C%BA', // 未知区
      '/v1/communities?street=%E6%9C%AA%E7%9F%A5%E8%A1%97',
      '/v1/stations?district=%E6%9C%AA%E7%9F%A5%E5%8C%BA',
      '/v1/riders?communityId=nowhere',
      '/v1/redemptions?stationId=nowhere',
    ];
    for (const url of unknown)
      expect({ url, ...(await call('GET', url)) }).toMatchObject({
        url,
        status: 404,
        body: { code: 'NOT_FOUND' },
      });
    // A district known by its station alone is a place: its list answers, empty or not.
    expect(await call('GET', '/v1/stations?district=%E6%B0%B8%E5%B7%9D%E5%8C%BA')).toMatchObject({
      status: 200,
      body: { items: [{ id: 's3' }] },
    });
    expect(await call('GET', '/v1/communities?district=%E6%B0%B8%E5%B7%9D%E5%8C%BA')).toMatchObject(
      {
        status: 200,
        body: { items: [] },
      },
    );
    // Staff naming a community not theirs are refused before existence is told.
    expect(
      await call('GET', '/v1/riders?communityId=nowhere', undefined, tokens['staff-c1']),
    ).toMatchObject({ status: 403, body: { code: 'FORBIDDEN' } });
  });
});
