import type { AwardSource } from './award-source';
import type { BadgeThreshold } from '../badges/badges';
import type { ImportedFrom } from '../import/import';
import type { Activity } from '../rules/rules';
import type { Occupation, PricedItem } from './rider.events';

export type RiderCommand =
  | {
      type: 'RegisterRider';
      riderId: string;
      communityId: string;
      platform: string;
      occupation: Occupation;
      /** Same id on a retried request: the registration is then already done, not a conflict. */
      registrationId: string;
      occurredAt?: string;
      imported?: ImportedFrom;
    }
  | { type: 'TransferRider'; riderId: string; communityId: string }
  | { type: 'ErasePersonalData'; riderId: string }
  | AwardPoints
  | { type: 'ReverseAward'; entryId: string; riderId: string; reversalOf: string; reason: string }
  | {
      type: 'MakeRedemption';
      redemptionId: string;
      riderId: string;
      stationId: string;
      items: readonly PricedItem[];
      points: number;
      occurredAt?: string;
      imported?: ImportedFrom;
    }
  | { type: 'CancelRedemption'; redemptionId: string; riderId: string; reason: string };

/** An award as planned against the rules (see `planAward`): points and cap already resolved. */
export interface AwardPoints {
  type: 'AwardPoints';
  entryId: string;
  riderId: string;
  activity: Activity;
  points: number;
  fundId: string;
  ruleVersion: number;
  /** The rule's daily cap for this activity, if it has one. */
  maxPointsPerRiderPerDay?: number;
  reason: string;
  occurredAt: string;
  /** Where it came from; the approving principal is the request's actor. */
  source: AwardSource;
  taskId?: string;
  hazardId?: string;
  /** An award made from a rider's check-in (source `check-in`): the check-in. */
  checkInId?: string;
  evidence?: string;
  imported?: ImportedFrom;
  /** The badge thresholds in force: crossing one earns it in the same append. */
  badges: readonly BadgeThreshold[];
}
