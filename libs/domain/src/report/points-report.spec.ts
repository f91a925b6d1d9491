import type { LedgerEvent } from '../events';
import { replayPointsReport, reportPeriod, type ReplayedEvent } from './points-report';

const ZONE = 'Asia/Shanghai';
const at = (occurredAt: string, event: LedgerEvent): ReplayedEvent => ({ event, occurredAt });
const award = (
  entryId: string,
  riderId: string,
  communityId: string,
  points: number,
): LedgerEvent => ({
  type: 'PointsAwarded',
  data: {
    ...{ entryId, riderId, communityId, activity: 'patrol', points, fundId: 'f1' },
    ...{ ruleVersion: 1, reason: '巡逻', occurredAt: '', balanceAfter: 0, source: 'check-in' },
  },
});

describe('a points report replayed from the log', () => {
  it('bounds a year and a month at midnight in the district’s zone, and refuses what is not one', () => {
    expect(reportPeriod('2026', ZONE)).toEqual({
      from: new Date('2025-12-31T16:00:00.000Z'),
      to: new Date('2026-12-31T16:00:00.000Z'),
    });
    expect(reportPeriod('2026-12', ZONE)).toEqual({
      from: new Date('2026-11-30T16:00:00.000Z'),
      to: new Date('2026-12-31T16:00:00.000Z'),
    });
    for (const bad of ['2026-00', '2026-13', '1999', '26', '2026-1'])
      expect(reportPeriod(bad, ZONE)).toBeUndefined();
  });

  it('counts each act in its period: reversals when made, redemptions where the rider was', () => {
    const log: ReplayedEvent[] = [
      at('2026-01-01T00:00:00Z', {
        type: 'CommunityRegistered',
        data: { communityId: 'c1', name: '滨江', street: '几江街道', district: '江津区' },
      }),
      at('2026-01-01T00:00:00Z', {
        type: 'CommunityRegistered',
        data: { communityId: 'c2', name: '鼎山', street: '鼎山街道', district: '江津区' },
      }),
      at('2026-01-02T00:00:00Z', {
        type: 'RiderRegistered',
        data: {
          riderId: 'r1',
          communityId: 'c1',
          platform: '美团',
          occupation: 'food_delivery',
          registrationId: 'g1',
        },
      }),
      at('2026-02-10T00:00:00Z', award('a1', 'r1', 'c1', 50)),
      at('2026-02-11T00:00:00Z', {
        type: 'RiderTransferred',
        data: { riderId: 'r1', fromCommunityId: 'c1', toCommunityId: 'c2' },
      }),
      at('2026-02-12T00:00:00Z', {
        type: 'RedemptionMade',
        data: {
          redemptionId: 'x1',
          riderId: 'r1',
          stationId: 's1',
          items: [],
          points: 30,
          balanceAfter: 20,
        },
      }),
      at('2026-03-05T00:00:00Z', {
        type: 'AwardReversed',
        data: {
          entryId: 'v1',
          riderId: 'r1',
          reversalOf: 'a1',
          communityId: 'c2', // the rider's community when reversed; it counts where earned
          points: 20,
          fundId: 'f1',
          reason: '有误',
          balanceAfter: 0,
        },
      }),
      at('2026-03-06T00:00:00Z', {
        type: 'RedemptionCancelled',
        data: {
          redemptionId: 'x1',
          riderId: 'r1',
          stationId: 's1',
          points: 30,
          reason: '退回',
          balanceAfter: 30,
        },
      }),
    ];
    const report = (groupBy: 'community' | 'street' | 'source', period: string) => {
      const bounds = reportPeriod(period, ZONE);
      if (!bounds) throw new Error(period);
      return replayPointsReport(log, { groupBy, ...bounds });
    };
    expect(report('community', '2026-02')).toEqual({
      rows: [
        { key: 'c1', awarded: 50, reversed: 0, redeemed: 0, riders: 1 },
        { key: 'c2', awarded: 0, reversed: 0, redeemed: 30, riders: 1 },
      ],
      totals: { awarded: 50, reversed: 0, redeemed: 30, riders: 1 },
    });
    // March: the reversal where the award's points were earned, with its award's source; the
    // cancellation gives the redemption's points back; no redemption row by source.
    expect(report('source', '2026-03')).toEqual({
      rows: [{ key: 'check-in', awarded: 0, reversed: 20, redeemed: 0, riders: 1 }],
      totals: { awarded: 0, reversed: 20, redeemed: -30, riders: 1 },
    });
    expect(report('street', '2026').rows).toEqual([
      { key: '几江街道', awarded: 50, reversed: 20, redeemed: 0, riders: 1 },
      { key: '鼎山街道', awarded: 0, reversed: 0, redeemed: 0, riders: 1 },
    ]);
  });
});
