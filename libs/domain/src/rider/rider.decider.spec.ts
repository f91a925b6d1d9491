import { contextOf, given } from '@ledger/testing/decider-spec';
import type { AwardPoints } from './rider.commands';
import { riderDecider } from './rider.decider';
import type { RiderEvent } from './rider.events';

const registered: RiderEvent = {
  type: 'RiderRegistered',
  data: {
    riderId: 'r1',
    communityId: 'c1',
    platform: '美团',
    occupation: 'food_delivery',
    registrationId: 'g1',
  },
};

const awardCommand = (over: Partial<AwardPoints> = {}): AwardPoints => ({
  type: 'AwardPoints',
  entryId: 'e1',
  riderId: 'r1',
  activity: 'patrol',
  points: 20,
  fundId: 'f1',
  ruleVersion: 1,
  reason: '夜间巡逻',
  occurredAt: '2026-06-14T13:00:00.000Z',
  source: 'staff-backfill',
  badges: [],
  ...over,
});

const awarded = (
  over: Partial<Extract<RiderEvent, { type: 'PointsAwarded' }>['data']> = {},
): RiderEvent => ({
  type: 'PointsAwarded',
  data: {
    entryId: 'e1',
    riderId: 'r1',
    communityId: 'c1',
    activity: 'patrol',
    points: 20,
    fundId: 'f1',
    ruleVersion: 1,
    reason: '夜间巡逻',
    occurredAt: '2026-06-14T13:00:00.000Z',
    balanceAfter: 20,
    source: 'staff-backfill',
    ...over,
  },
});

const redeemed: RiderEvent = {
  type: 'RedemptionMade',
  data: {
    redemptionId: 'x1',
    riderId: 'r1',
    stationId: 's1',
    items: [{ sku: 'water', quantity: 2, pricePoints: 5 }],
    points: 10,
    balanceAfter: 10,
  },
};

const registration = {
  type: 'RegisterRider' as const,
  riderId: 'r1',
  communityId: 'c1',
  platform: '美团',
  occupation: 'food_delivery' as const,
  registrationId: 'g1',
};

describe('rider decider', () => {
  describe('registration, transfer, erasure', () => {
    it('registers a new rider', () => {
      given(riderDecider, []).when(registration).then([registered]);
    });
    it('refuses a second registration: ALREADY_EXISTS', () => {
      given(riderDecider, [registered])
        .when({ ...registration, communityId: 'c2', platform: 'x', registrationId: 'g2' })
        .thenError('ALREADY_EXISTS');
    });
    it('treats a retried registration (same registration id) as done', () => {
      given(riderDecider, [registered]).when(registration).then([]);
    });
    it('acts only on a registered rider: NOT_FOUND', () => {
      given(riderDecider, []).when(awardCommand()).thenError('NOT_FOUND');
      given(riderDecider, [])
        .when({ type: 'TransferRider', riderId: 'r1', communityId: 'c2' })
        .thenError('NOT_FOUND');
    });
    it('transfers to another community, and does nothing for the same one', () => {
      given(riderDecider, [registered])
        .when({ type: 'TransferRider', riderId: 'r1', communityId: 'c2' })
        .then([
          {
            type: 'RiderTransferred',
            data: { riderId: 'r1', fromCommunityId: 'c1', toCommunityId: 'c2' },
          },
        ]);
      given(riderDecider, [registered])
        .when({ type: 'TransferRider', riderId: 'r1', communityId: 'c1' })
        .then([]);
    });
    it('lets staff register and move riders only in their communities: FORBIDDEN', () => {
      const staff = contextOf({ principalId: 'staff-1', role: 'staff', communityIds: ['c1'] });
      given(riderDecider, [])
        .when({ ...registration, communityId: 'c2' }, staff)
        .thenError('FORBIDDEN');
      given(riderDecider, []).when(registration, staff).then([registered]);
      given(riderDecider, [registered])
        .when({ type: 'TransferRider', riderId: 'r1', communityId: 'c2' }, staff)
        .thenError('FORBIDDEN', /move riders only in their communities/);
    });
    it('lets staff move only their own riders: pulling one from another community is FORBIDDEN', () => {
      const other = contextOf({ principalId: 'staff-2', role: 'staff', communityIds: ['c2'] });
      given(riderDecider, [registered])
        .when({ type: 'TransferRider', riderId: 'r1', communityId: 'c2' }, other)
        .thenError('FORBIDDEN', /not c1/);
      const both = contextOf({ principalId: 'staff-3', role: 'staff', communityIds: ['c1', 'c2'] });
      given(riderDecider, [registered])
        .when({ type: 'TransferRider', riderId: 'r1', communityId: 'c2' }, both)
        .then([
          {
            type: 'RiderTransferred',
            data: { riderId: 'r1', fromCommunityId: 'c1', toCommunityId: 'c2' },
          },
        ]);
    });
    it('records erasure once', () => {
      const erased: RiderEvent = { type: 'RiderPersonalDataErased', data: { riderId: 'r1' } };
      given(riderDecider, [registered])
        .when({ type: 'ErasePersonalData', riderId: 'r1' })
        .then([erased]);
      given(riderDecider, [registered, erased])
        .when({ type: 'ErasePersonalData', riderId: 'r1' })
        .then([]);
    });
  });

  describe('awards', () => {
    it('credits the points with the balance after, the community and the rule version', () => {
      const state = given(riderDecider, [registered]).when(awardCommand()).then([awarded()]);
      expect(state.balance).toBe(20);
      expect(state.earned).toBe(20);
    });
    it('is idempotent by entry id, and refuses the same id for a different award', () => {
      given(riderDecider, [registered, awarded()]).when(awardCommand()).then([]);
      given(riderDecider, [registered, awarded()])
        .when(awardCommand({ points: 5 }))
        .thenError('IDEMPOTENCY_KEY_REUSED');
    });
    it('keeps the daily cap per activity by occurredAt in Asia/Shanghai: RULE_VIOLATION', () => {
      const history = [registered, awarded({ points: 40, balanceAfter: 40 })];
      given(riderDecider, history)
        .when(awardCommand({ entryId: 'e2', points: 20, maxPointsPerRiderPerDay: 50 }))
        .thenError('RULE_VIOLATION', /cap is 50/);
      // 16:30Z is 00:30 the next day in Shanghai: another day, so the cap has room again.
      given(riderDecider, history)
        .when(
          awardCommand({
            entryId: 'e2',
            points: 20,
            maxPointsPerRiderPerDay: 50,
            occurredAt: '2026-06-14T16:30:00.000Z',
          }),
        )
        .then([
          awarded({
            entryId: 'e2',
            points: 20,
            balanceAfter: 60,
            occurredAt: '2026-06-14T16:30:00.000Z',
          }),
        ]);
      // Another activity has its own cap.
      given(riderDecider, history)
        .when(
          awardCommand({
            entryId: 'e2',
            activity: 'rescue',
            points: 20,
            maxPointsPerRiderPerDay: 50,
          }),
        )
        .then([awarded({ entryId: 'e2', activity: 'rescue', points: 20, balanceAfter: 60 })]);
    });
    it('lets staff award only riders of their communities: FORBIDDEN', () => {
      const staff = contextOf({ principalId: 'staff-9', role: 'staff', communityIds: ['c9'] });
      given(riderDecider, [registered])
        .when(awardCommand(), staff)
        .thenError('FORBIDDEN', /only in their communities, not c1/);
      const own = contextOf({ principalId: 'staff-1', role: 'staff', communityIds: ['c1'] });
      given(riderDecider, [registered]).when(awardCommand(), own).then([awarded()]);
    });
    it('earns a badge once, when earned points (not balance) reach its threshold', () => {
      const badges = [{ id: 'bronze', name: '铜牌小哥', thresholdPoints: 30 }];
      const history = [registered, awarded(), redeemed];
      given(riderDecider, history)
        .when(awardCommand({ entryId: 'e2', points: 10, badges }))
        .then([
          awarded({ entryId: 'e2', points: 10, balanceAfter: 10 + 10 }),
          {
            type: 'BadgeEarned',
            data: {
              riderId: 'r1',
              badgeId: 'bronze',
              name: '铜牌小哥',
              thresholdPoints: 30,
              earnedPoints: 30,
            },
          },
        ]);
      const earnedBadge: RiderEvent = {
        type: 'BadgeEarned',
        data: {
          riderId: 'r1',
          badgeId: 'bronze',
          name: '铜牌小哥',
          thresholdPoints: 30,
          earnedPoints: 30,
        },
      };
      given(riderDecider, [registered, awarded({ points: 30, balanceAfter: 30 }), earnedBadge])
        .when(awardCommand({ entryId: 'e2', points: 10, badges }))
        .then([awarded({ entryId: 'e2', points: 10, balanceAfter: 40 })]);
    });
  });

  describe('reversals', () => {
    const reverse = {
      type: 'ReverseAward' as const,
      entryId: 'v1',
      riderId: 'r1',
      reversalOf: 'e1',
      reason: '误发',
    };
    const reversed: RiderEvent = {
      type: 'AwardReversed',
      data: {
        entryId: 'v1',
        riderId: 'r1',
        reversalOf: 'e1',
        communityId: 'c1',
        points: 20,
        fundId: 'f1',
        reason: '误发',
        balanceAfter: 0,
      },
    };
    it('takes the award back, naming it and why', () => {
      const state = given(riderDecider, [registered, awarded()]).when(reverse).then([reversed]);
      expect(state.balance).toBe(0);
      expect(state.reversed).toBe(20);
    });
    it('refuses a second reversal: ALREADY_REVERSED; and repeats nothing for the same reversal', () => {
      given(riderDecider, [registered, awarded(), reversed])
        .when({ ...reverse, entryId: 'v2' })
        .thenError('ALREADY_REVERSED');
      given(riderDecider, [registered, awarded(), reversed]).when(reverse).then([]);
    });
    it('refuses an unknown award: NOT_FOUND', () => {
      given(riderDecider, [registered]).when(reverse).thenError('NOT_FOUND');
    });
    it('lets staff reverse only in their communities: FORBIDDEN, after the award is known and still standing', () => {
      const other = contextOf({ principalId: 'staff-9', role: 'staff', communityIds: ['c9'] });
      given(riderDecider, [registered, awarded()]).when(reverse, other).thenError('FORBIDDEN');
      given(riderDecider, [registered, awarded(), reversed])
        .when({ ...reverse, entryId: 'v2' }, other)
        .thenError('ALREADY_REVERSED');
    });
    it('refuses to take the balance below zero: INSUFFICIENT_BALANCE', () => {
      given(riderDecider, [
        registered,
        awarded(),
        { ...redeemed, data: { ...redeemed.data, balanceAfter: 10 } },
      ])
        .when(reverse)
        .thenError('INSUFFICIENT_BALANCE');
    });
    it('frees the daily cap taken by the reversed award', () => {
      const history = [
        registered,
        awarded({ points: 50, balanceAfter: 50 }),
        { ...reversed, data: { ...reversed.data, points: 50, balanceAfter: 0 } },
      ];
      given(riderDecider, history)
        .when(awardCommand({ entryId: 'e2', points: 50, maxPointsPerRiderPerDay: 50 }))
        .then([awarded({ entryId: 'e2', points: 50, balanceAfter: 50 })]);
    });
  });

  describe('redemptions and cancellations', () => {
    const redeem = {
      type: 'MakeRedemption' as const,
      redemptionId: 'x1',
      riderId: 'r1',
      stationId: 's1',
      items: redeemed.type === 'RedemptionMade' ? redeemed.data.items : [],
      points: 10,
    };
    it('debits the points', () => {
      given(riderDecider, [registered, awarded()]).when(redeem).then([redeemed]);
    });
    it('refuses more than the balance: INSUFFICIENT_BALANCE', () => {
      given(riderDecider, [registered, awarded()])
        .when({ ...redeem, points: 21 })
        .thenError('INSUFFICIENT_BALANCE');
    });
    it('is idempotent by redemption id', () => {
      given(riderDecider, [registered, awarded(), redeemed]).when(redeem).then([]);
      given(riderDecider, [registered, awarded(), redeemed])
        .when({ ...redeem, points: 5 })
        .thenError('IDEMPOTENCY_KEY_REUSED');
    });
    it('cancels once, giving the points back: ALREADY_CANCELLED, NOT_FOUND', () => {
      const cancel = {
        type: 'CancelRedemption' as const,
        redemptionId: 'x1',
        riderId: 'r1',
        reason: '误兑',
      };
      const cancelled: RiderEvent = {
        type: 'RedemptionCancelled',
        data: {
          redemptionId: 'x1',
          riderId: 'r1',
          stationId: 's1',
          points: 10,
          reason: '误兑',
          balanceAfter: 20,
        },
      };
      given(riderDecider, [registered, awarded(), redeemed]).when(cancel).then([cancelled]);
      given(riderDecider, [registered, awarded(), redeemed, cancelled])
        .when(cancel)
        .thenError('ALREADY_CANCELLED');
      given(riderDecider, [registered, awarded()]).when(cancel).thenError('NOT_FOUND');
      const otherStation = contextOf({ principalId: 'st-2', role: 'station', stationIds: ['s2'] });
      given(riderDecider, [registered, awarded(), redeemed])
        .when(cancel, otherStation)
        .thenError('FORBIDDEN', /does not serve station s1/);
      const ownStation = contextOf({ principalId: 'st-1', role: 'station', stationIds: ['s1'] });
      given(riderDecider, [registered, awarded(), redeemed])
        .when(cancel, ownStation)
        .then([cancelled]);
    });
  });

  it('fails loudly when a stored history would take the balance below zero', () => {
    expect(() =>
      given(riderDecider, [registered, redeemed]).when({
        type: 'ErasePersonalData',
        riderId: 'r1',
      }),
    ).toThrow(/invariant/);
  });
});
