import type { SealCommand } from './audit/seal';
import type { BadgesCommand } from './badges/badges';
import type { CheckInCommand } from './check-in/check-in';
import type { CommunityCommand } from './community/community';
import type { FundCommand } from './fund/fund';
import type { HazardCommand, HazardFilingCommand } from './hazard/hazard';
import type { PrincipalCommand } from './principal/principal';
import type { RiderCommand } from './rider/rider.commands';
import type { RulesCommand } from './rules/rules';
import type { SelectionCommand } from './selection/selection';
import type { StationCommand } from './station/station';
import type { TaskCommand } from './task/task';

/** Every command a decider of the ledger decides (the body, without who asks). */
export type LedgerCommandBody =
  | RiderCommand
  | FundCommand
  | StationCommand
  | RulesCommand
  | BadgesCommand
  | PrincipalCommand
  | CommunityCommand
  | SelectionCommand
  | TaskCommand
  | HazardFilingCommand
  | HazardCommand
  | SealCommand
  | CheckInCommand;
