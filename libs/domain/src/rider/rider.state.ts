import { addPoints, subtractPoints } from '../shared/points';
import { assertNever, invariant } from '../shared/domain-error';
import type { Activity } from '../rules/rules';
import type { PricedItem, RiderEvent } from './rider.events';
import { dayKeyOfAward } from './rider.days';

export interface AwardRecord {
  readonly entryId: string;
  readonly points: number;
  readonly fundId: string;
  readonly activity: Activity;
  readonly day: string;
  readonly occurredAt: string;
  readonly ruleVersion: number;
  readonly balanceAfter: number;
  readonly reason: string;
  reversedBy?: string;
}

export interface RedemptionRecord {
  readonly redemptionId: string;
  readonly stationId: string;
  readonly points: number;
  readonly items: readonly PricedItem[];
  readonly balanceAfter: number;
  cancellation?: { balanceAfter: number; reason: string };
}

/**
 * A rider's state, folded from its stream. Owned by the fold: `evolve` updates it in place so a
 * long history folds in linear time; `decide` only reads it.
 */
export interface RiderState {
  exists: boolean;
  riderId: string;
  communityId: string;
  registrationId: string;
  erased: boolean;
  balance: number;
  /** All points ever awarded. */
  earned: number;
  /** All points taken back by reversals. */
  reversed: number;
  /** Points spent on redemptions that were not cancelled. */
  redeemed: number;
  readonly awards: Map<string, AwardRecord>;
  readonly reversals: Map<string, { reversalOf: string; points: number; balanceAfter: number }>;
  readonly redemptions: Map<string, RedemptionRecord>;
  /** Points net of reversals per `day|activity`, for daily caps. */
  readonly dailyPoints: Map<string, number>;
  readonly badges: Set<string>;
  /** The time zone the day keys were computed in (the deployment's). */
  timeZone: string;
}

export function initialRiderState(timeZone: string): RiderState {
  return {
    exists: false,
    riderId: '',
    communityId: '',
    registrationId: '',
    erased: false,
    balance: 0,
    earned: 0,
    reversed: 0,
    redeemed: 0,
    awards: new Map(),
    reversals: new Map(),
    redemptions: new Map(),
    dailyPoints: new Map(),
    badges: new Set(),
    timeZone,
  };
}

export function evolveRider(state: RiderState, event: RiderEvent): RiderState {
  switch (event.type) {
    case 'RiderRegistered':
      state.exists = true;
      state.riderId = event.data.riderId;
      state.communityId = event.data.communityId;
      state.registrationId = event.data.registrationId;
      break;
    case 'RiderTransferred':
      state.communityId = event.data.toCommunityId;
      break;
    case 'RiderPersonalDataErased':
      state.erased = true;
      break;
    case 'PointsAwarded':
      applyAward(state, event.data);
      break;
    case 'AwardReversed':
      applyReversal(state, event.data);
      break;
    case 'RedemptionMade':
      state.balance = subtractPoints(state.balance, event.data.points);
      state.redeemed = addPoints(state.redeemed, event.data.points);
      state.redemptions.set(event.data.redemptionId, { ...event.data });
      break;
    case 'RedemptionCancelled': {
      const redemption = state.redemptions.get(event.data.redemptionId);
      invariant(redemption !== undefined, `cancelled redemption ${event.data.redemptionId} exists`);
      redemption.cancellation = {
        balanceAfter: event.data.balanceAfter,
        reason: event.data.reason,
      };
      state.balance = addPoints(state.balance, event.data.points);
      state.redeemed = subtractPoints(state.redeemed, event.data.points);
      break;
    }
    case 'BadgeEarned':
      state.badges.add(event.data.badgeId);
      break;
    default:
      assertNever(event);
  }
  invariant(state.balance >= 0, `rider ${state.riderId} balance ${state.balance} is not negative`);
  invariant(
    state.balance === state.earned - state.reversed - state.redeemed,
    `rider ${state.riderId} balance equals earned − reversed − redeemed`,
  );
  return state;
}

function applyAward(
  state: RiderState,
  data: Extract<RiderEvent, { type: 'PointsAwarded' }>['data'],
): void {
  const day = dayKeyOfAward(data.occurredAt, state.timeZone);
  state.balance = addPoints(state.balance, data.points);
  state.earned = addPoints(state.earned, data.points);
  state.awards.set(data.entryId, { ...data, day });
  const key = `${day}|${data.activity}`;
  state.dailyPoints.set(key, addPoints(state.dailyPoints.get(key) ?? 0, data.points));
}

function applyReversal(
  state: RiderState,
  data: Extract<RiderEvent, { type: 'AwardReversed' }>['data'],
): void {
  const award = state.awards.get(data.reversalOf);
  invariant(award !== undefined, `reversed award ${data.reversalOf} exists`);
  award.reversedBy = data.entryId;
  state.balance = subtractPoints(state.balance, data.points);
  state.reversed = addPoints(state.reversed, data.points);
  state.reversals.set(data.entryId, {
    reversalOf: data.reversalOf,
    points: data.points,
    balanceAfter: data.balanceAfter,
  });
  const key = `${award.day}|${award.activity}`;
  state.dailyPoints.set(key, subtractPoints(state.dailyPoints.get(key) ?? 0, data.points));
}
