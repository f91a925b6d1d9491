import { given } from '@ledger/testing/decider-spec';
import { fundDecider, remainingPoints, type FundEvent, type PendingAward } from './fund';

const created: FundEvent = {
  type: 'FundCreated',
  data: { fundId: 'f1', name: '江津区小哥积分基金', district: '江津区', budgetPoints: 100 },
};
const award: PendingAward = {
  activity: 'patrol',
  ruleVersion: 1,
  reason: '巡逻',
  occurredAt: '2026-06-14T13:00:00.000Z',
};
const reserve = {
  type: 'ReserveFundPoints' as const,
  fundId: 'f1',
  entryId: 'e1',
  riderId: 'r1',
  points: 60,
  award,
};
const reserved: FundEvent = {
  type: 'FundPointsReserved',
  data: { fundId: 'f1', entryId: 'e1', riderId: 'r1', points: 60, award },
};

describe('fund decider', () => {
  it('creates a fund once: ALREADY_EXISTS', () => {
    given(fundDecider, [])
      .when({
        type: 'CreateFund',
        fundId: 'f1',
        name: '江津区小哥积分基金',
        district: '江津区',
        budgetPoints: 100,
      })
      .then([created]);
    given(fundDecider, [created])
      .when({ type: 'CreateFund', fundId: 'f1', name: 'x', district: 'y', budgetPoints: 1 })
      .thenError('ALREADY_EXISTS');
  });
  it('acts only on an existing fund: NOT_FOUND', () => {
    given(fundDecider, []).when(reserve).thenError('NOT_FOUND');
  });
  it('reserves within the budget and refuses past it: FUND_EXHAUSTED', () => {
    const state = given(fundDecider, [created]).when(reserve).then([reserved]);
    expect(remainingPoints(state)).toBe(40);
    given(fundDecider, [created, reserved])
      .when({ ...reserve, entryId: 'e2', points: 41 })
      .thenError('FUND_EXHAUSTED', /40 points left/);
  });
  it('answers a retried reservation as the first attempt ended', () => {
    given(fundDecider, [created, reserved]).when(reserve).then([]);
    given(fundDecider, [created, reserved])
      .when({ ...reserve, riderId: 'r2' })
      .thenError('IDEMPOTENCY_KEY_REUSED');
    const released: FundEvent = {
      type: 'FundReservationReleased',
      data: { fundId: 'f1', entryId: 'e1', points: 60, code: 'RULE_VIOLATION', reason: 'cap' },
    };
    given(fundDecider, [created, reserved, released]).when(reserve).thenError('RULE_VIOLATION');
  });
  it('releases a reservation once, giving the budget back', () => {
    const release = {
      type: 'ReleaseReservation' as const,
      fundId: 'f1',
      entryId: 'e1',
      code: 'RULE_VIOLATION' as const,
      reason: 'cap',
    };
    const released: FundEvent = {
      type: 'FundReservationReleased',
      data: { fundId: 'f1', entryId: 'e1', points: 60, code: 'RULE_VIOLATION', reason: 'cap' },
    };
    const state = given(fundDecider, [created, reserved]).when(release).then([released]);
    expect(remainingPoints(state)).toBe(100);
    given(fundDecider, [created, reserved, released]).when(release).then([]);
    given(fundDecider, [created]).when(release).thenError('NOT_FOUND');
  });
  it('takes back reversed points once, and tops up the budget', () => {
    const ret = {
      type: 'ReturnFundPoints' as const,
      fundId: 'f1',
      entryId: 'v1',
      reversalOf: 'e1',
      points: 60,
    };
    const returned: FundEvent = {
      type: 'FundPointsReturned',
      data: { fundId: 'f1', entryId: 'v1', reversalOf: 'e1', points: 60 },
    };
    const state = given(fundDecider, [created, reserved]).when(ret).then([returned]);
    expect(remainingPoints(state)).toBe(100);
    given(fundDecider, [created, reserved, returned]).when(ret).then([]);
    given(fundDecider, [created])
      .when({ type: 'TopUpFund', fundId: 'f1', points: 50, reason: '追加预算' })
      .then([
        {
          type: 'FundToppedUp',
          data: { fundId: 'f1', points: 50, reason: '追加预算', budgetAfter: 150 },
        },
      ]);
    given(fundDecider, [created])
      .when({ type: 'TopUpFund', fundId: 'f1', points: 0, reason: 'x' })
      .thenError('VALIDATION_FAILED');
  });
});
