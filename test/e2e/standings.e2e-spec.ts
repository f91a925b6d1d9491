import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { tempDir } from '@ledger/testing';
import { apiClient, openTestApi, setUpDistrict } from './api-fixture';

/** Transfers, erasure, leaderboards and the top-ten selection over HTTP. */
describe('leaderboards, transfers, erasure and selections', () => {
  const dir = tempDir();
  let app: NestFastifyApplication;
  let call: ReturnType<typeof apiClient>;
  const tokens: Record<string, string> = {};
  const year = new Date(Date.now() + 8 * 3_600_000).getUTCFullYear(); // the year in Asia/Shanghai
  let last = 0;
  const award = async (riderId: string, activity: string) => {
    const res = await call('POST', '/v1/awards', {
      riderId,
      activity,
      fundId: 'f1',
      reason: '巡逻',
      occurredAt: new Date(Date.now() - 600_000).toISOString(),
    });
    expect(res.status).toBe(201);
    last = res.body.position as number;
  };
  const board = (scope: string, extra = '') =>
    call(
      'GET',
      `/v1/leaderboards?scope=${encodeURIComponent(scope)}&period=${year}&minPosition=${last}${extra}`,
    );

  beforeAll(async () => {
    app = await openTestApi(dir.path);
    call = apiClient(app);
    Object.assign(
      tokens,
      await setUpDistrict(call, {
        communities: { c1: '几江街道', c2: '鼎山街道' },
        budgetPoints: 10_000,
        rules: [
          { activity: 'rescue', points: 100 },
          { activity: 'patrol', points: 20 },
        ],
        riders: { r1: 'c1', r2: 'c1', r3: 'c2' },
        personal: (id) => ({ name: `骑手${id}`, phone: `1390000000${id.slice(1)}` }),
        principals: [
          { id: 'staff-c1', name: '几江', role: 'staff', communityIds: ['c1'] },
          { id: 'staff-c2', name: '鼎山', role: 'staff', communityIds: ['c2'] },
          { id: 'rider-r3', name: 'r3', role: 'rider', riderId: 'r3' },
        ],
      }),
    );
    await award('r1', 'rescue');
    await award('r2', 'rescue');
    await award('r3', 'patrol');
  });
  afterAll(async () => {
    await app.close();
    dir.remove();
  });

  it('ranks by points, then by who reached the total first, paged by cursor', async () => {
    const first = await board('district:江津区', '&limit=2');
    expect(first).toMatchObject({
      status: 200,
      body: {
        scope: 'district:江津区',
        period: String(year),
        items: [
          { rank: 1, riderId: 'r1', name: '骑手r1', points: 100 },
          { rank: 2, riderId: 'r2', name: '骑手r2', points: 100 },
        ],
        nextCursor: '2',
      },
    });
    const next = await board('district:江津区', '&limit=2&cursor=2');
    expect(next.body).toMatchObject({
      items: [{ rank: 3, riderId: 'r3', points: 20 }],
      nextCursor: null,
    });
    const riderView = await call(
      'GET',
      `/v1/leaderboards?scope=street:鼎山街道&period=all`,
      undefined,
      tokens['rider-r3'],
    );
    expect(riderView.body).toMatchObject({ items: [{ rank: 1, riderId: 'r3', points: 20 }] });
    // A place the directory does not know is not an empty board.
    expect(await board('district:无此区')).toMatchObject({
      status: 404,
      body: { code: 'NOT_FOUND' },
    });
    expect(await board('community:c9')).toMatchObject({ status: 404 });
    for (const bad of [
      'scope=planet:x&period=all',
      'scope=district:江津区&period=2026-13',
      'scope=district:江津区',
      'scope=district:江津区&period=all&limit=0',
      'scope=district:江津区&period=all&cursor=abc',
    ])
      expect(await call('GET', `/v1/leaderboards?${encodeURI(bad)}`)).toMatchObject({
        status: 400,
        body: { code: 'VALIDATION_FAILED' },
      });
  });

  it('moves a rider: points earned before stay on the old community’s board', async () => {
    expect(
      await call('POST', '/v1/riders/r1/transfer', { communityId: 'c2' }, tokens['staff-c1']),
    ).toMatchObject({ status: 403, body: { code: 'FORBIDDEN' } });
    expect(await call('POST', '/v1/riders/r1/transfer', { communityId: 'c9' })).toMatchObject({
      status: 404,
    });
    expect(await call('POST', '/v1/riders/nobody/transfer', { communityId: 'c2' })).toMatchObject({
      status: 404,
    });
    expect(
      // Staff move only their own riders (issue 10): the admin moves r1 across.
      await call('POST', '/v1/riders/r1/transfer', { communityId: 'c2' }),
    ).toMatchObject({ status: 200, body: { id: 'r1', communityId: 'c2' } });
    await award('r1', 'patrol');
    expect((await board('community:c1')).body.items).toEqual([
      { rank: 1, riderId: 'r1', name: '骑手r1', points: 100 },
      { rank: 2, riderId: 'r2', name: '骑手r2', points: 100 },
    ]);
    expect((await board('community:c2')).body.items).toEqual([
      { rank: 1, riderId: 'r3', name: '骑手r3', points: 20 },
      { rank: 2, riderId: 'r1', name: '骑手r1', points: 20 },
    ]);
    const rider = await call(
      'GET',
      `/v1/riders/r1?minPosition=${last}`,
      undefined,
      tokens['staff-c2'],
    );
    expect(rider.body).toMatchObject({ communityId: 'c2', balance: 120 });
  });

  it('erases personal data for good while the ledger stays', async () => {
    expect(
      await call('DELETE', '/v1/riders/r2/personal-data', undefined, tokens['staff-c1']),
    ).toMatchObject({ status: 403 });
    expect(await call('DELETE', '/v1/riders/r2/personal-data')).toMatchObject({ status: 204 });
    expect(await call('DELETE', '/v1/riders/r2/personal-data')).toMatchObject({ status: 204 });
    expect(await call('DELETE', '/v1/riders/nobody/personal-data')).toMatchObject({ status: 404 });
    const rider = await call('GET', '/v1/riders/r2');
    expect(rider.body).toMatchObject({ id: 'r2', name: null, balance: 100 });
    expect(JSON.stringify(rider.body)).not.toContain('骑手r2');
    const ledger = await call('GET', '/v1/riders/r2/ledger');
    expect(ledger.body.items).toEqual([expect.objectContaining({ type: 'award', points: 100 })]);
  });

  it('opens and closes a selection once, with the winners from the log at the cut-off', async () => {
    expect(
      await call('POST', '/v1/selections', { id: 'top', district: '江津区', year, size: 0 }),
    ).toMatchObject({ status: 400, body: { errors: [{ field: 'size' }] } });
    expect(
      await call('POST', '/v1/selections', { id: 'top', district: '江津区', year, size: 2 }),
    ).toMatchObject({ status: 201, body: { id: 'top', status: 'open' } });
    expect(await call('GET', '/v1/selections/top', undefined, tokens['rider-r3'])).toMatchObject({
      status: 200,
      body: { id: 'top', status: 'open' },
    });
    const closed = await call('POST', '/v1/selections/top/close');
    expect(closed).toMatchObject({
      status: 200,
      body: {
        id: 'top',
        status: 'closed',
        cutoffPosition: expect.any(Number) as number,
        district: '江津区',
        year,
        size: 2,
        // r2's personal data was erased: the place stays, the name is gone.
        winners: [
          { rank: 1, riderId: 'r1', name: '骑手r1', points: 120 },
          { rank: 2, riderId: 'r2', name: null, points: 100 },
        ],
        closedBy: 'admin',
        closedAt: expect.any(String) as string,
      },
    });
    await award('r3', 'rescue'); // after the cut-off: changes nothing
    expect(await call('POST', '/v1/selections/top/close')).toMatchObject({
      status: 409,
      body: { code: 'SELECTION_CLOSED' },
    });
    const read = await call('GET', `/v1/selections/top?minPosition=${last}`);
    const { position: _position, ...closedView } = closed.body;
    expect(read).toMatchObject({ status: 200, body: closedView });
    expect(await call('POST', '/v1/selections/none/close')).toMatchObject({ status: 404 });
    expect(await call('GET', '/v1/selections/none')).toMatchObject({ status: 404 });

    // The organiser's list: by district, year, then id; paged; a district nobody knows is 404.
    expect(
      await call('POST', '/v1/selections', {
        id: 'a-next',
        district: '江津区',
        year: year + 1,
        size: 10,
      }),
    ).toMatchObject({ status: 201 });
    const listed = await call(
      'GET',
      `/v1/selections?district=${encodeURIComponent('江津区')}`,
      undefined,
      tokens['rider-r3'],
    );
    expect(listed).toMatchObject({
      status: 200,
      body: {
        items: [
          { id: 'top', district: '江津区', year, size: 2, status: 'closed' },
          { id: 'a-next', district: '江津区', year: year + 1, size: 10, status: 'open' },
        ],
        nextCursor: null,
      },
    });
    const page = await call('GET', '/v1/selections?limit=1');
    expect(page.body.items).toEqual([expect.objectContaining({ id: 'top' })]);
    const rest = await call('GET', `/v1/selections?limit=1&cursor=${String(page.body.nextCursor)}`);
    expect(rest.body).toMatchObject({ items: [{ id: 'a-next' }], nextCursor: null });
    expect(
      await call('GET', `/v1/selections?district=${encodeURIComponent('无此区')}`),
    ).toMatchObject({ status: 404 });
    // A cursor of the right shape that this list never gave (a year that is not a number): 400.
    const forged = Buffer.from(JSON.stringify(['江津区', 'x', 'top'])).toString('base64url');
    expect(await call('GET', `/v1/selections?cursor=${forged}`)).toMatchObject({
      status: 400,
      body: { code: 'VALIDATION_FAILED' },
    });
  });
});
