import { awarded, community, reversed } from '../testing/events';
import { projectionSpec } from '../testing/projection-spec';
import { leaderboardsProjection } from './leaderboards.projection';
import { leaderboardPage, namedLeaderboardPage } from './leaderboards.queries';

/** Every row of one scope after the events of the first spec, in key order (period, rider). */
const boardRows = (scope: string) =>
  (
    [
      ['2026', 'r1', 40, 5],
      ['2026', 'r2', 40, 3],
      ['2026-05', 'r1', 40, 2],
      ['2026-06', 'r1', 0, 5],
      ['2026-06', 'r2', 40, 3],
      ['2026-W22', 'r1', 40, 2],
      ['2026-W23', 'r1', 0, 5],
      ['2026-W23', 'r2', 40, 3],
      ['all', 'r1', 40, 5],
      ['all', 'r2', 40, 3],
    ] as const
  ).map(([period, rider, points, reached]) => ({
    scope,
    period,
    rider_id: rider,
    points,
    reached_position: reached,
  }));

describe('leaderboards projection', () => {
  const spec = projectionSpec(leaderboardsProjection);

  it('totals earned points per scope and period of occurredAt in Shanghai, net of reversals', async () => {
    // 2026-05-31T16:00Z is already Monday 1 June in Shanghai (ISO week 23).
    const db = await spec
      .given([
        community('c1'),
        awarded('a1', 'r1', 40, 40, { occurredAt: '2026-05-31T15:59:59.000Z' }),
        awarded('a2', 'r2', 40, 40, { occurredAt: '2026-05-31T16:00:00.000Z' }),
        awarded('a3', 'r1', 10, 50, { occurredAt: '2026-06-02T02:00:00.000Z' }),
        reversed('v1', 'a3', 'r1', 10, 40),
      ])
      .then({
        leaderboard_points: [
          ...boardRows('community:c1'),
          ...boardRows('district:江津区'),
          ...boardRows('street:几江街道'),
        ],
      });
    // Equal points: who reached the total first (the lower position) ranks first.
    const year = await leaderboardPage(db, 'district:江津区', '2026', { limit: 10 });
    expect(year.items).toEqual([
      { rank: 1, riderId: 'r2', points: 40 },
      { rank: 2, riderId: 'r1', points: 40 },
    ]);
    const june = await leaderboardPage(db, 'street:几江街道', '2026-06', { limit: 10 });
    expect(june.items).toEqual([{ rank: 1, riderId: 'r2', points: 40 }]);
    const page = await leaderboardPage(db, 'community:c1', 'all', { limit: 1 });
    expect(page).toEqual({ items: [{ rank: 1, riderId: 'r2', points: 40 }], nextCursor: '1' });
    // With names from a table beside the log, in one statement; a rider without one (erased): null.
    await db.query('create table board_names (rider_id text primary key, name text not null)');
    await db.query(`insert into board_names values ('r1', '张小哥')`);
    expect(
      await namedLeaderboardPage(db, 'board_names', 'district:江津区', '2026', { limit: 1 }),
    ).toEqual({
      items: [{ rank: 1, riderId: 'r2', name: null, points: 40 }],
      nextCursor: '1',
    });
    const second = await namedLeaderboardPage(db, 'board_names', 'district:江津区', '2026', {
      limit: 10,
      cursor: '1',
    });
    expect(second.items).toEqual([{ rank: 2, riderId: 'r1', name: '张小哥', points: 40 }]);
  });

  it('keeps an award’s points with the community it was earned in', async () => {
    await spec
      .given([
        community('c1'),
        community('c2', '鼎山街道'),
        awarded('a1', 'r1', 25, 25),
        awarded('a2', 'r1', 10, 35, { communityId: 'c2' }),
      ])
      .then({
        lb_awards: [
          {
            entry_id: 'a1',
            rider_id: 'r1',
            scopes: ['community:c1', 'street:几江街道', 'district:江津区'],
            periods: ['all', '2026', '2026-06', '2026-W24'],
            points: 25,
          },
          {
            entry_id: 'a2',
            rider_id: 'r1',
            scopes: ['community:c2', 'street:鼎山街道', 'district:江津区'],
            points: 10,
          },
        ],
      });
  });
});
