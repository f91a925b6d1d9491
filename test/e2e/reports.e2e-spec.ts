import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import {
  localIso,
  replayHazardsReport,
  replayPointsReport,
  reportPeriod,
  upcast,
  type ReplayedEvent,
  type ReportGroup,
} from '@ledger/domain';
import type { EventStore } from '@ledger/event-store';
import { EVENT_STORE, loadConfig } from '@ledger/ledger';
import { seedDistrict } from '@ledger/seed';
import { allEvents, tempDir } from '@ledger/testing';
import { createApi } from '../../apps/api/src/api';
import { ADMIN_TOKEN, apiClient } from './api-fixture';

const ZONE = 'Asia/Shanghai';

/**
 * Reports upward (issue 17): points by community, street, activity and source for a year or a
 * month, from the read models and equal to a replay of the log, as JSON and as CSV; staff see
 * their communities only.
 */
describe('points reports', () => {
  const dir = tempDir();
  let app: NestFastifyApplication;
  let seeded: Awaited<ReturnType<typeof seedDistrict>>;
  let log: ReplayedEvent[];
  const call = (...args: Parameters<ReturnType<typeof apiClient>>) => apiClient(app)(...args);

  beforeAll(async () => {
    const config = loadConfig({
      DATA_DIR: dir.path,
      LEDGER_ADMIN_TOKEN: ADMIN_TOKEN,
      LEDGER_TIME_ZONE: ZONE,
    });
    seeded = await seedDistrict(config, { scale: 0.1, seed: 17, quiet: true });
    app = await createApi(config, { logger: false });
    await app.init();
    await app.getHttpAdapter().getInstance().ready();
    await fileHazards();
    moved = await transferAndReverse();
    log = (await allEvents(app.get<EventStore>(EVENT_STORE))).flatMap((stored) => {
      const event = upcast(stored);
      const at = stored.metadata.occurredAt;
      const occurredAt = typeof at === 'string' ? at : stored.recordedAt.toISOString();
      return event ? [{ event, occurredAt }] : [];
    });
  }, 180_000);
  afterAll(async () => {
    await app.close();
    dir.remove();
  });

  /** Four reports of 随手拍: one confirmed major, one rejected, one waiting, one a duplicate. */
  async function fileHazards() {
    const rider = ((await call('GET', '/v1/riders?limit=1')).body.items as { id: string }[])[0];
    const fund = ((await call('GET', '/v1/funds')).body.items as { id: string }[])[0];
    const file = async (category: string, lat: number) => {
      const res = await call('POST', '/v1/hazards', {
        ...{ riderId: rider.id, category, description: '路面塌陷' },
        ...{
          location: { lat, lng: 106.2594 },
          occurredAt: new Date(Date.now() - 3_600_000).toISOString(),
        },
      });
      if (res.status !== 201) throw new Error(JSON.stringify(res.body));
      return res.body.id as string;
    };
    const verify = (id: string, outcome: string) =>
      call('POST', `/v1/hazards/${id}/verification`, {
        outcome,
        ...(outcome === 'confirmed' && { severity: 'major', fundId: fund.id }),
        note: '现场核实',
      });
    expect((await verify(await file('road_collapse', 29.29), 'confirmed')).status).toBe(200);
    expect((await verify(await file('manhole_cover', 29.3), 'rejected')).status).toBe(200);
    await file('manhole_cover', 29.31);
    await file('manhole_cover', 29.31); // within 50 m of the one waiting: a duplicate
  }

  let moved: { from: string; points: number };

  /** A rider moved to another community, then one of its awards reversed (counts where earned). */
  async function transferAndReverse(): Promise<{ from: string; points: number }> {
    const riders = (await call('GET', '/v1/riders?limit=50')).body.items as {
      id: string;
      communityId: string;
    }[];
    const rider = riders[0];
    const to = riders.find((r) => r.communityId !== rider.communityId)?.communityId;
    if (!to) throw new Error('the demo has one community');
    const lines = (await call('GET', `/v1/riders/${rider.id}/ledger?order=desc&limit=100`)).body
      .items as { type: string; entryId: string; points: number; occurredAt: string }[];
    const award = lines.find((l) => l.type === 'award');
    if (!award) throw new Error(`rider ${rider.id} has no award`);
    const transfer = await call('POST', `/v1/riders/${rider.id}/transfer`, { communityId: to });
    expect(transfer.status).toBe(200);
    const reversal = await call('POST', `/v1/awards/${award.entryId}/reversal`, {
      reason: '重复登记',
    });
    expect(reversal.status).toBe(201);
    return { from: rider.communityId, points: award.points };
  }

  const now = new Date();
  const thisYear = localIso(now, ZONE).slice(0, 4);
  const twoMonthsAgo = localIso(new Date(now.getTime() - 60 * 86_400_000), ZONE).slice(0, 7);
  const replay = (groupBy: ReportGroup, period: string, communities?: string[]) => {
    const bounds = reportPeriod(period, ZONE);
    if (!bounds) throw new Error(`no period ${period}`);
    const scope = communities && { communities: new Set(communities) };
    return replayPointsReport(log, { groupBy, ...bounds, ...scope });
  };

  it('answers each grouping, for a year and for a month, as a replay of the log does', async () => {
    for (const period of [thisYear, twoMonthsAgo, String(Number(thisYear) - 1)])
      for (const groupBy of ['community', 'street', 'activity', 'source'] as const) {
        const res = await call('GET', `/v1/reports/points?groupBy=${groupBy}&period=${period}`);
        expect(res.status).toBe(200);
        const expected = replay(groupBy, period);
        expect({ groupBy, period, rows: res.body.rows, totals: res.body.totals }).toEqual({
          groupBy,
          period,
          ...expected,
        });
      }
    // The demo's year is there to be seen: imported awards, reversals and redemptions.
    const yearOfMonth = twoMonthsAgo.slice(0, 4);
    const year = replay('source', yearOfMonth);
    expect(year.totals.awarded).toBeGreaterThan(0);
    expect(year.rows.map((r) => r.key)).toContain('import');
    const month = (await call('GET', `/v1/reports/points?groupBy=community&period=${twoMonthsAgo}`))
      .body.totals as { awarded: number };
    expect(month.awarded).toBeGreaterThan(0);
    expect(month.awarded).toBeLessThan(year.totals.awarded);
    // The reversal made today after the rider moved counts in the community it was earned in.
    const today = (await call('GET', `/v1/reports/points?groupBy=community&period=${thisYear}`))
      .body.rows as { key: string; reversed: number }[];
    const earnedIn = today.find((r) => r.key === moved.from);
    expect(earnedIn?.reversed).toBeGreaterThanOrEqual(moved.points);
  });

  it('gives staff their communities only, and refuses stations, riders and a bad period', async () => {
    const staff = seeded.tokens.find((t) => t.role === 'staff');
    if (!staff) throw new Error('the demo has no staff');
    const me = (await call('GET', '/v1/me', undefined, staff.token)).body as {
      communityIds: string[];
    };
    const res = await call(
      'GET',
      `/v1/reports/points?groupBy=community&period=${thisYear}`,
      undefined,
      staff.token,
    );
    expect(res.status).toBe(200);
    expect(res.body.communities).toEqual(me.communityIds);
    expect(res.body.rows).toEqual(replay('community', thisYear, me.communityIds).rows);
    const keys = (res.body.rows as { key: string }[]).map((r) => r.key);
    expect(keys.every((k) => me.communityIds.includes(k))).toBe(true);
    const all = (await call('GET', `/v1/reports/points?period=${thisYear}`)).body.rows as unknown[];
    expect(all.length).toBeGreaterThan(keys.length);

    for (const role of ['station', 'rider'] as const) {
      const principal = seeded.tokens.find((t) => t.role === role);
      if (!principal) throw new Error(`the demo has no ${role}`);
      const refused = await call(
        'GET',
        `/v1/reports/points?period=${thisYear}`,
        undefined,
        principal.token,
      );
      expect(refused.status).toBe(403);
    }
    for (const period of ['2026-13', '1999', 'last-year']) {
      const bad = await call('GET', `/v1/reports/points?period=${period}`);
      expect({ period, status: bad.status, code: bad.body.code }).toEqual({
        period,
        status: 400,
        code: 'VALIDATION_FAILED',
      });
    }
    const badGroup = await call('GET', `/v1/reports/points?period=${thisYear}&groupBy=rider`);
    expect(badGroup.status).toBe(400);
  });

  it('answers the same report as CSV when asked for it, the totals last', async () => {
    const url = `/v1/reports/points?groupBy=activity&period=${thisYear}`;
    const json = (await call('GET', url)).body as {
      rows: { key: string; awarded: number; reversed: number; redeemed: number; riders: number }[];
      totals: { awarded: number; reversed: number; redeemed: number; riders: number };
    };
    const csv = await app.inject({
      method: 'GET',
      url,
      headers: { authorization: `Bearer ${ADMIN_TOKEN}`, accept: 'text/csv' },
    });
    expect(csv.statusCode).toBe(200);
    expect(csv.headers['content-type']).toMatch(/^text\/csv/);
    const lines = csv.body.trim().split('\n');
    expect(lines[0]).toBe('key,awarded,reversed,redeemed,riders');
    const figures = (r: { awarded: number; reversed: number; redeemed: number; riders: number }) =>
      `${r.awarded},${r.reversed},${r.redeemed},${r.riders}`;
    expect(lines.slice(1)).toEqual([
      ...json.rows.map((r) => `${r.key},${figures(r)}`),
      `total,${figures(json.totals)}`,
    ]);
  });

  it('counts hazard reports of a period by category and outcome, as a replay does', async () => {
    const bounds = reportPeriod(thisYear, ZONE);
    if (!bounds) throw new Error('no period');
    const res = await call('GET', `/v1/reports/hazards?period=${thisYear}`);
    expect(res.status).toBe(200);
    const expected = replayHazardsReport(log, bounds);
    expect({ rows: res.body.rows, totals: res.body.totals }).toEqual(expected);
    expect(expected.totals).toMatchObject({
      reported: 4,
      duplicates: 1,
      waiting: 1,
      rejected: 1,
      major: 1,
    });
    expect(expected.rows.map((r) => r.category)).toEqual(['manhole_cover', 'road_collapse']);
    const staff = seeded.tokens.find((t) => t.role === 'staff');
    if (!staff) throw new Error('the demo has no staff');
    const mine = await call(
      'GET',
      `/v1/reports/hazards?period=${thisYear}`,
      undefined,
      staff.token,
    );
    expect(mine.status).toBe(200);
    expect(mine.body.totals).toEqual(
      replayHazardsReport(log, {
        ...bounds,
        communities: new Set(mine.body.communities as string[]),
      }).totals,
    );
    expect((await call('GET', '/v1/reports/hazards?period=26')).status).toBe(400);
  });

  it('answers the hazards report as CSV when asked for it, the same rows, the totals last', async () => {
    const staff = seeded.tokens.find((t) => t.role === 'staff');
    if (!staff) throw new Error('the demo has no staff');
    const url = `/v1/reports/hazards?period=${thisYear}`;
    for (const token of [ADMIN_TOKEN, staff.token]) {
      const json = (await call('GET', url, undefined, token)).body as {
        rows: ({ category: string } & Record<string, number>)[];
        totals: Record<string, number>;
      };
      // The admin sees the four filed above (two categories); staff, what is in theirs.
      expect(json.rows.length).toBeGreaterThanOrEqual(token === ADMIN_TOKEN ? 2 : 0);
      // Before JSON in Accept, as a browser's download or a spreadsheet asks: CSV.
      const csv = await app.inject({
        method: 'GET',
        url,
        headers: { authorization: `Bearer ${token}`, accept: 'text/csv, application/json;q=0.9' },
      });
      expect(csv.statusCode).toBe(200);
      expect(csv.headers['content-type']).toBe('text/csv; charset=utf-8');
      expect(csv.headers.vary).toMatch(/\bAccept\b/);
      const columns = [
        'reported',
        'duplicates',
        'waiting',
        'rejected',
        'minor',
        'moderate',
        'major',
      ];
      const figures = (r: Record<string, number>) => columns.map((c) => r[c]).join();
      expect(csv.body.endsWith('\n')).toBe(true);
      expect(csv.body.trimEnd().split('\n')).toEqual([
        `category,${columns.join()}`,
        ...json.rows.map((r) => `${r.category},${figures(r)}`),
        `total,${figures(json.totals)}`,
      ]);
    }
    // JSON first, or no CSV asked for: JSON.
    for (const accept of ['application/json, text/csv', '*/*']) {
      const res = await app.inject({
        method: 'GET',
        url,
        headers: { authorization: `Bearer ${ADMIN_TOKEN}`, accept },
      });
      expect(res.headers['content-type']).toMatch(/^application\/json/);
      expect(res.headers.vary).toMatch(/\bAccept\b/); // a cache keeps the two answers apart
    }
    const refused = await app.inject({
      method: 'GET',
      url: '/v1/reports/hazards?period=26',
      headers: { authorization: `Bearer ${ADMIN_TOKEN}`, accept: 'text/csv' },
    });
    expect(refused.statusCode).toBe(400);
    expect(refused.headers['content-type']).toMatch(/^application\/problem\+json/);
  });
});
