import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { Role } from '@ledger/domain';
import { tempDir } from '@ledger/testing';
import { ALL_ROLES, ROUTE_POLICY } from '../../apps/api/src/auth/route-policy';
import { apiClient, openTestApi } from './api-fixture';

/** Communities, funds, rules and badges over HTTP, and the role × route table. */
const PROBE_QUERY: Readonly<Record<string, string>> = { 'GET /v1/riders': '?q=13800000000' };

describe('organisation routes', () => {
  const dir = tempDir();
  let app: NestFastifyApplication;

  beforeAll(async () => {
    app = await openTestApi(dir.path);
  });
  afterAll(async () => {
    await app.close();
    dir.remove();
  });

  const call = (...args: Parameters<ReturnType<typeof apiClient>>) => apiClient(app)(...args);

  it('creates and reads communities and funds, reading its own writes', async () => {
    const community = await call('POST', '/v1/communities', {
      id: 'jijiang-01',
      name: '艾坪山社区',
      street: '几江街道',
      district: '江津区',
    });
    expect(community).toMatchObject({
      status: 201,
      body: { id: 'jijiang-01', street: '几江街道' },
    });
    const read = await call(
      'GET',
      `/v1/communities/jijiang-01?minPosition=${String(community.body.position)}`,
    );
    expect({ status: read.status, body: read.body }).toEqual({
      status: 200,
      body: { id: 'jijiang-01', name: '艾坪山社区', street: '几江街道', district: '江津区' },
    });
    expect(
      await call('POST', '/v1/communities', {
        id: 'jijiang-01',
        name: 'x',
        street: 'y',
        district: 'z',
      }),
    ).toMatchObject({ status: 409, body: { code: 'ALREADY_EXISTS' } });

    const fund = await call('POST', '/v1/funds', {
      id: 'f-2026',
      name: '小哥积分专项资金',
      district: '江津区',
      budgetPoints: 1_000_000,
    });
    expect(fund).toMatchObject({ status: 201, body: { remainingPoints: 1_000_000 } });
    const topUp = await call('POST', '/v1/funds/f-2026/top-ups', { points: 5000, reason: '追加' });
    expect(topUp).toMatchObject({ status: 201, body: { budgetPoints: 1_005_000 } });
    const after = await call('GET', `/v1/funds/f-2026?minPosition=${String(topUp.body.position)}`);
    expect({ status: after.status, body: after.body }).toEqual({
      status: 200,
      body: {
        id: 'f-2026',
        name: '小哥积分专项资金',
        district: '江津区',
        budgetPoints: 1_005_000,
        awardedPoints: 0,
        reversedPoints: 0,
        remainingPoints: 1_005_000,
      },
    });
    expect(await call('GET', '/v1/funds/nope')).toMatchObject({
      status: 404,
      body: { code: 'NOT_FOUND' },
    });
    expect(await call('POST', '/v1/funds/nope/top-ups', { points: 1, reason: 'x' })).toMatchObject({
      status: 404,
    });
    expect(
      await call('POST', '/v1/funds', { name: 'x', district: 'y', budgetPoints: -5 }),
    ).toMatchObject({
      status: 400,
      body: { code: 'VALIDATION_FAILED', errors: [{ field: 'budgetPoints' }] },
    });
  });

  it('versions the rule set and badge thresholds, refusing a malformed rule', async () => {
    const rules = [
      { activity: 'patrol', points: 20, maxPointsPerRiderPerDay: 60 },
      { activity: 'hazard_report', pointsBySeverity: { minor: 5, moderate: 20, major: 50 } },
    ];
    expect(await call('PUT', '/v1/rules', { rules })).toMatchObject({
      status: 200,
      body: { version: 1 },
    });
    expect(await call('GET', '/v1/rules')).toMatchObject({
      status: 200,
      body: {
        version: 1,
        rules: expect.arrayContaining([
          expect.objectContaining({ activity: 'patrol', points: 20 }),
        ]) as unknown,
      },
    });
    expect(
      await call('PUT', '/v1/rules', { rules: [{ activity: 'hazard_report', points: 5 }] }),
    ).toMatchObject({ status: 422, body: { code: 'RULE_VIOLATION' } });
    expect(
      await call('PUT', '/v1/rules', { rules: [{ activity: 'dancing', points: 5 }] }),
    ).toMatchObject({ status: 400 });
    expect(
      await call('PUT', '/v1/badges', {
        badges: [{ id: 'bronze', name: '铜牌小哥', thresholdPoints: 500 }],
      }),
    ).toMatchObject({ status: 200, body: { version: 1 } });
  });

  it('lets exactly the roles of ROUTE_POLICY through each route', async () => {
    // Principals are scoped to things that exist: the probe's station and rider.
    await call('POST', '/v1/stations', {
      id: 'probe-id',
      name: 'probe',
      district: '江津区',
      kind: 'station',
    });
    await call('POST', '/v1/riders', {
      id: 'probe-id',
      communityId: 'jijiang-01',
      platform: '美团',
      occupation: 'courier',
      name: 'probe',
    });
    const scopes: Record<Role, object> = {
      admin: {},
      staff: { communityIds: ['jijiang-01'] },
      verifier: {},
      station: { stationIds: ['probe-id'] }, // likewise its own station
      auditor: {},
      rider: { riderId: 'probe-id' }, // its own id, so the role gate is what the walk tests
    };
    const tokens = {} as Record<Role, string>;
    for (const role of ALL_ROLES) {
      const created = await call('POST', '/v1/principals', {
        id: `p-${role}`,
        name: role,
        role,
        ...scopes[role],
      });
      tokens[role] = created.body.token as string;
    }
    for (const [route, allowed] of Object.entries(ROUTE_POLICY)) {
      const [method, path] = route.split(' ');
      // A query every role's scope rule accepts (a station finds riders by phone only), so the
      // walk tests the role gate.
      const url = path.replace(/:[a-z]+/gi, 'probe-id') + (PROBE_QUERY[route] ?? '');
      for (const role of ALL_ROLES) {
        const { status } = await call(
          method,
          url,
          method === 'GET' || method === 'DELETE' ? undefined : {},
          tokens[role],
        );
        expect({ route, role, forbidden: status === 403 }).toEqual({
          route,
          role,
          forbidden: !allowed.includes(role),
        });
        expect(status).not.toBe(401);
      }
    }
  });
});
