import type { SealEvent } from './audit/seal';
import type { BadgesEvent } from './badges/badges';
import type { CheckInEvent } from './check-in/check-in';
import type { CommunityEvent } from './community/community';
import type { FundEvent } from './fund/fund';
import type { HazardEvent, HazardFilingEvent } from './hazard/hazard';
import type { ImportEvent } from './import/import';
import type { PrincipalEvent } from './principal/principal';
import type { RiderEvent } from './rider/rider.events';
import type { RulesEvent } from './rules/rules';
import type { SelectionEvent } from './selection/selection';
import type { StationEvent } from './station/station';
import type { TaskEvent } from './task/task';

/** Every domain event of the ledger. docs/event-catalogue.md describes each one. */
export type LedgerEvent =
  | RiderEvent
  | FundEvent
  | StationEvent
  | RulesEvent
  | BadgesEvent
  | PrincipalEvent
  | CommunityEvent
  | SelectionEvent
  | TaskEvent
  | HazardFilingEvent
  | HazardEvent
  | SealEvent
  | ImportEvent
  | CheckInEvent;

export type LedgerEventType = LedgerEvent['type'];

/**
 * The schema version each event type is written with today. Raising one means adding an
 * upcaster for the older version; a test checks the catalogue lists every type at this version.
 */
export const EVENT_SCHEMA_VERSIONS: Readonly<Record<LedgerEventType, number>> = {
  RiderRegistered: 1,
  RiderTransferred: 1,
  RiderPersonalDataErased: 1,
  PointsAwarded: 2,
  AwardReversed: 1,
  RedemptionMade: 1,
  RedemptionCancelled: 1,
  BadgeEarned: 1,
  FundCreated: 1,
  FundToppedUp: 1,
  FundPointsReserved: 2,
  FundReservationReleased: 1,
  FundPointsReturned: 1,
  FundBookClosed: 1,
  FundBookOpened: 1,
  StationRegistered: 1,
  ItemPriced: 1,
  StockAdded: 1,
  StockReserved: 1,
  StockReservationReleased: 1,
  StockReturned: 1,
  RulesSet: 1,
  BadgesSet: 1,
  PrincipalCreated: 2,
  PrincipalRevoked: 1,
  PrincipalTokenRotated: 1,
  PrincipalPersonalDataErased: 1,
  CommunityRegistered: 1,
  SelectionOpened: 1,
  SelectionClosed: 1,
  TaskPublished: 1,
  TaskSignedUp: 1,
  TaskCompleted: 1,
  HazardReported: 2,
  HazardVerified: 1,
  HazardEscalated: 1,
  LogSealed: 1,
  CheckInOpened: 1,
  RiderCheckedIn: 1,
  RiderCheckedOut: 1,
  CheckInClosed: 1,
  CheckInAwarded: 1,
  CheckInAwardRefused: 1,
  ImportConfirmed: 1,
  ImportBatchWritten: 1,
  ImportStopped: 1,
  ImportCompleted: 1,
};

export function isLedgerEventType(type: string): type is LedgerEventType {
  return Object.prototype.hasOwnProperty.call(EVENT_SCHEMA_VERSIONS, type);
}
