import { projectionSpec } from '../testing/projection-spec';
import { fundsProjection } from './funds.projection';
import { fundOf } from './funds.queries';

const award = {
  activity: 'patrol' as const,
  ruleVersion: 1,
  reason: 'x',
  occurredAt: '2026-06-14T13:00:00.000Z',
  source: 'staff-backfill' as const,
};

describe('funds projection', () => {
  const spec = projectionSpec(fundsProjection);

  it('keeps budget, points reserved for awards less releases, and points returned', async () => {
    const db = await spec
      .given([
        {
          type: 'FundCreated',
          data: { fundId: 'f1', name: '小哥积分基金', district: '江津区', budgetPoints: 1000 },
        },
        {
          type: 'FundToppedUp',
          data: { fundId: 'f1', points: 500, reason: '追加', budgetAfter: 1500 },
        },
        {
          type: 'FundPointsReserved',
          data: { fundId: 'f1', entryId: 'a1', riderId: 'r1', points: 30, award },
        },
        {
          type: 'FundPointsReserved',
          data: { fundId: 'f1', entryId: 'a2', riderId: 'r1', points: 60, award },
        },
        {
          type: 'FundReservationReleased',
          data: { fundId: 'f1', entryId: 'a2', points: 60, code: 'RULE_VIOLATION', reason: 'cap' },
        },
        {
          type: 'FundPointsReturned',
          data: { fundId: 'f1', entryId: 'v1', reversalOf: 'a1', points: 30 },
        },
      ])
      .then({
        funds: [
          {
            fund_id: 'f1',
            name: '小哥积分基金',
            district: '江津区',
            budget_points: 1500,
            awarded_points: 30,
            reversed_points: 30,
          },
        ],
      });
    expect(await fundOf(db, 'f1')).toMatchObject({ budgetPoints: 1500, remainingPoints: 1500 });
  });
});
