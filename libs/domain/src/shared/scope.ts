import type { LedgerCommandBody } from '../commands';
import type { Actor } from './context';
import { DomainError } from './domain-error';
import { say, type Said } from './said';

/*
 * Scope rules (api.md, "Scope rules"): which community, station or rider a principal may act on,
 * once its role has been let through by the route table. This is their one home: deciders check
 * the rules that need a stream's state (a rider's community, a redemption's station), the ledger's
 * handlers and queries the rest. Each answers `undefined` when allowed, else 403 FORBIDDEN.
 */

const forbidden = (detail: Said): DomainError => new DomainError('FORBIDDEN', detail);

/** Staff act only on riders, tasks and awards of their communities; every other role is not held to one. */
export function staffInCommunity(
  actor: Actor,
  communityId: string,
  doing: Said,
): DomainError | undefined {
  if (actor.role !== 'staff' || actor.communityIds.includes(communityId)) return undefined;
  return forbidden(
    say`staff ${actor.principalId} ${doing} only in their communities, not ${communityId}`,
  );
}

/**
 * The scope rules a command's own fields decide, with no stream state: the target community of a
 * registration, a transfer or a task, the station of a price, a restock or a redemption, the rider
 * signing up. The deciders check them first, and handlers before anything else (before looking
 * for the streams a command needs), so an out-of-scope request learns nothing else.
 */
export function commandScope(actor: Actor, command: LedgerCommandBody): DomainError | undefined {
  switch (command.type) {
    case 'RegisterRider':
      return staffInCommunity(actor, command.communityId, say`register riders`);
    case 'TransferRider':
      return staffInCommunity(actor, command.communityId, say`move riders`);
    case 'PublishTask':
      return staffInCommunity(actor, command.communityId, say`publish tasks`);
    case 'SignUp':
      return riderAsItself(actor, command.riderId);
    case 'PriceItem':
    case 'AddStock':
    case 'ReserveStock':
      return stationServes(actor, command.stationId);
    default:
      return undefined;
  }
}

/** A station principal serves (prices, restocks, redeems, cancels) only at its own stations. */
export function stationServes(actor: Actor, stationId: string): DomainError | undefined {
  if (actor.role !== 'station' || actor.stationIds.includes(stationId)) return undefined;
  return forbidden(say`station principal ${actor.principalId} does not serve station ${stationId}`);
}

/** A rider acts (signs up, reports) only as itself. */
export function riderAsItself(actor: Actor, riderId: string): DomainError | undefined {
  if (actor.role !== 'rider' || actor.riderId === riderId) return undefined;
  return forbidden(
    say`rider principal ${actor.principalId} acts only as rider ${actor.riderId ?? '(none)'}`,
  );
}

/** The rider a rider principal is: it signs up and reports as that rider only. */
export function riderOf(actor: Actor): string | DomainError {
  if (actor.role === 'rider' && actor.riderId !== undefined) return actor.riderId;
  return forbidden(say`only a rider principal signs up, as itself`);
}

/**
 * Reading a rider's records: a rider reads only itself, staff only riders of their communities
 * (`communityId` undefined: the rider is not known, which the caller answers as not found); a
 * station, an auditor and an admin read every rider.
 */
export function mayReadRider(
  actor: Actor,
  riderId: string,
  communityId: string | undefined,
): DomainError | undefined {
  if (actor.role === 'rider' && actor.riderId !== riderId)
    return forbidden(say`a rider reads only its own records`);
  if (
    actor.role === 'staff' &&
    communityId !== undefined &&
    !actor.communityIds.includes(communityId)
  )
    return forbidden(say`staff read only riders of their communities`);
  return undefined;
}

/** A receipt is read by the station that served it and by its rider (admins and auditors by role). */
export function mayReadReceipt(
  actor: Actor,
  receipt: { stationId: string; riderId: string },
): DomainError | undefined {
  return stationServes(actor, receipt.stationId) ?? riderAsItself(actor, receipt.riderId);
}

/**
 * The communities whose riders a list may show (`undefined`: every community): one asked for, or
 * all. Staff see their communities' riders only; asking for another community is FORBIDDEN.
 */
export function riderCommunities(
  actor: Actor,
  communityId: string | undefined,
): readonly string[] | undefined | DomainError {
  const scope = actor.role === 'staff' ? actor.communityIds : undefined;
  if (communityId !== undefined && scope && !scope.includes(communityId))
    return forbidden(say`staff read only riders of their communities`);
  return communityId !== undefined ? [communityId] : scope;
}

/**
 * The communities whose hazard reports a principal sees and verifies: staff their own, a verifier
 * those it was given (none given: every community); `undefined` means every community.
 */
export function reportCommunities(actor: Actor): readonly string[] | undefined {
  if (actor.role === 'staff') return actor.communityIds;
  if (actor.role === 'verifier' && actor.communityIds.length > 0) return actor.communityIds;
  return undefined;
}

/** Verifying a report: within `reportCommunities`. */
export function mayVerifyIn(
  actor: Actor,
  communityId: string,
  hazardId: string,
): DomainError | undefined {
  const communities = reportCommunities(actor);
  if (communities === undefined || communities.includes(communityId)) return undefined;
  return forbidden(say`hazard ${hazardId} is not in a community of ${actor.principalId}`);
}

/**
 * A station serves the riders of its stations' districts, and reads of them what redeeming needs
 * (balance and badges); nothing of other riders. `district` undefined: the rider is not known
 * (the caller answers not found).
 */
export function stationServesRider(
  actor: Actor,
  riderId: string,
  district: string | undefined,
  districts: readonly string[],
): DomainError | undefined {
  if (actor.role !== 'station' || district === undefined || districts.includes(district))
    return undefined;
  return forbidden(
    say`station principal ${actor.principalId} serves riders of its own districts only, not rider ${riderId}`,
  );
}

/** Whether a principal reads riders' names and phones where it reads riders (a station does not). */
export function readsPersonalData(actor: Actor): boolean {
  return actor.role !== 'station';
}

/** A phone number as riders give it: digits, spaces and dashes, a + in front if need be. */
export const WHOLE_PHONE = /^\+?[0-9 -]{5,20}$/;

/**
 * The key two phone numbers are the same by: their digits, a Chinese mobile number without its
 * country code (+86, 0086). The same as the personal-data table's `phone_key` column, which holds
 * a district's numbers unique.
 */
export function phoneKeyOf(phone: string): string | undefined {
  const digits = phone.replace(/[^0-9]/g, '');
  const key = /^(00)?86(1[0-9]{10})$/.exec(digits)?.[2] ?? digits;
  return key === '' ? undefined : key;
}

/**
 * A station finds a rider at its counter by the whole phone number the rider gives, and only
 * among riders it serves: never by a name, never a list.
 */
export function stationFindsByPhone(actor: Actor, q: string | undefined): DomainError | undefined {
  if (actor.role !== 'station' || (q !== undefined && WHOLE_PHONE.test(q))) return undefined;
  return forbidden(say`a station finds a rider by the whole phone number only`);
}
