import type { AwardSource } from './award-source';
import type { ImportedFrom } from '../import/import';
import type { Activity } from '../rules/rules';

export const OCCUPATIONS = ['courier', 'food_delivery', 'ride_hailing', 'other'] as const;
export type Occupation = (typeof OCCUPATIONS)[number];

/** An item line of a redemption, priced when the stock was reserved. */
export interface PricedItem {
  readonly sku: string;
  readonly quantity: number;
  readonly pricePoints: number;
}

/** The rider stream's events. Names, phones never appear here (personal data is kept apart). */
export type RiderEvent =
  | {
      type: 'RiderRegistered';
      data: {
        riderId: string;
        communityId: string;
        platform: string;
        occupation: Occupation;
        registrationId: string;
        /** Imported history (issue 16): when the rider joined, if the file said. */
        occurredAt?: string;
        imported?: ImportedFrom;
      };
    }
  | {
      type: 'RiderTransferred';
      data: { riderId: string; fromCommunityId: string; toCommunityId: string };
    }
  | { type: 'RiderPersonalDataErased'; data: { riderId: string } }
  | {
      type: 'PointsAwarded';
      data: {
        entryId: string;
        riderId: string;
        /** The rider's community when the points were earned: leaderboards keep them there. */
        communityId: string;
        activity: Activity;
        points: number;
        fundId: string;
        ruleVersion: number;
        reason: string;
        occurredAt: string;
        balanceAfter: number;
        /** Version 2: where it came from (version 1 events get it from what they carry). */
        source: AwardSource;
        taskId?: string;
        hazardId?: string;
        /** Made from the rider's check-in (source `check-in`): the check-in it carries. */
        checkInId?: string;
        evidence?: string;
        /** Imported history: the file and row it came from (its points are the file's). */
        imported?: ImportedFrom;
      };
    }
  | {
      type: 'AwardReversed';
      data: {
        entryId: string;
        riderId: string;
        reversalOf: string;
        communityId: string;
        points: number;
        fundId: string;
        reason: string;
        balanceAfter: number;
      };
    }
  | {
      type: 'RedemptionMade';
      data: {
        redemptionId: string;
        riderId: string;
        stationId: string;
        items: PricedItem[];
        points: number;
        balanceAfter: number;
        /** Imported history: when the items were handed out, and the file and row. */
        occurredAt?: string;
        imported?: ImportedFrom;
      };
    }
  | {
      type: 'RedemptionCancelled';
      data: {
        redemptionId: string;
        riderId: string;
        stationId: string;
        points: number;
        reason: string;
        balanceAfter: number;
      };
    }
  | {
      type: 'BadgeEarned';
      data: {
        riderId: string;
        badgeId: string;
        name: string;
        thresholdPoints: number;
        earnedPoints: number;
      };
    };
