import { awarded, cancelled, redeemed, registered, reversed } from '../testing/events';
import { projectionSpec } from '../testing/projection-spec';
import { balancesProjection } from './balances.projection';
import { balanceOf } from './balances.queries';

describe('balances projection', () => {
  const spec = projectionSpec(balancesProjection);

  it('keeps balance, earned, redeemed net of cancellations, and reversed per rider', async () => {
    const db = await spec
      .given([
        registered('r1'),
        registered('r2'),
        awarded('a1', 'r1', 30, 30),
        awarded('a2', 'r1', 20, 50),
        redeemed('x1', 'r1', 10, 40),
        cancelled('x1', 'r1', 10, 50),
        redeemed('x2', 'r1', 5, 45),
        reversed('v1', 'a1', 'r1', 30, 15),
      ])
      .then({
        balances: [
          { rider_id: 'r1', balance: 15, earned: 50, redeemed: 5, reversed: 30 },
          { rider_id: 'r2', balance: 0, earned: 0, redeemed: 0, reversed: 0 },
        ],
      });
    expect(await balanceOf(db, 'r1')).toEqual({
      riderId: 'r1',
      balance: 15,
      earned: 50,
      redeemed: 5,
      reversed: 30,
      position: 8,
    });
    expect(await balanceOf(db, 'nobody')).toBeUndefined();
  });

  it('records each badge once with when it was earned', async () => {
    await spec
      .given([
        registered('r1'),
        awarded('a1', 'r1', 500, 500),
        {
          event: {
            type: 'BadgeEarned',
            data: {
              riderId: 'r1',
              badgeId: 'bronze',
              name: '铜牌小哥',
              thresholdPoints: 500,
              earnedPoints: 500,
            },
          },
          recordedAt: '2026-06-20T02:00:00.000Z',
        },
      ])
      .then({
        rider_badges: [
          {
            rider_id: 'r1',
            badge_id: 'bronze',
            name: '铜牌小哥',
            earned_at: '2026-06-20T02:00:00.000Z',
          },
        ],
      });
  });
});
