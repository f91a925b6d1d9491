import type { LedgerEvent } from '@ledger/domain';

/** Events for projection specs, with the fields a spec does not care about filled in. */

type Of<T extends LedgerEvent['type']> = Extract<LedgerEvent, { type: T }>;

export const community = (
  communityId: string,
  street = '几江街道',
  district = '江津区',
): Of<'CommunityRegistered'> => ({
  type: 'CommunityRegistered',
  data: { communityId, name: `${communityId}社区`, street, district },
});

export const registered = (riderId: string, communityId = 'c1'): Of<'RiderRegistered'> => ({
  type: 'RiderRegistered',
  data: {
    riderId,
    communityId,
    platform: '美团',
    occupation: 'food_delivery',
    registrationId: `reg-${riderId}`,
  },
});

export const awarded = (
  entryId: string,
  riderId: string,
  points: number,
  balanceAfter: number,
  more: Partial<Of<'PointsAwarded'>['data']> = {},
): Of<'PointsAwarded'> => ({
  type: 'PointsAwarded',
  data: {
    entryId,
    riderId,
    communityId: 'c1',
    activity: 'patrol',
    points,
    fundId: 'f1',
    ruleVersion: 1,
    reason: '夜间巡逻',
    occurredAt: '2026-06-14T13:00:00.000Z',
    balanceAfter,
    source: 'staff-backfill',
    ...more,
  },
});

export const reversed = (
  entryId: string,
  reversalOf: string,
  riderId: string,
  points: number,
  balanceAfter: number,
): Of<'AwardReversed'> => ({
  type: 'AwardReversed',
  data: {
    entryId,
    riderId,
    reversalOf,
    communityId: 'c1',
    points,
    fundId: 'f1',
    reason: '误发',
    balanceAfter,
  },
});

export const redeemed = (
  redemptionId: string,
  riderId: string,
  points: number,
  balanceAfter: number,
): Of<'RedemptionMade'> => ({
  type: 'RedemptionMade',
  data: {
    redemptionId,
    riderId,
    stationId: 's1',
    items: [{ sku: 'water', quantity: points / 5, pricePoints: 5 }],
    points,
    balanceAfter,
  },
});

export const cancelled = (
  redemptionId: string,
  riderId: string,
  points: number,
  balanceAfter: number,
): Of<'RedemptionCancelled'> => ({
  type: 'RedemptionCancelled',
  data: { redemptionId, riderId, stationId: 's1', points, reason: '误兑', balanceAfter },
});
