import { say } from '../shared/said';
import type { Decider } from '../shared/decider';
import type { BadgeThreshold } from '../badges/badges';
import type { CommandContext } from '../shared/context';
import {
  alreadyExists,
  assertNever,
  DomainError,
  keyReused,
  notFound,
  ruleViolation,
  type Decision,
} from '../shared/domain-error';
import { addPoints, subtractPoints } from '../shared/points';
import { commandScope, stationServes, staffInCommunity } from '../shared/scope';
import type { AwardPoints, RiderCommand } from './rider.commands';
import { dayKeyOfAward } from './rider.days';
import type { RiderEvent } from './rider.events';
import { evolveRider, initialRiderState, type RiderState } from './rider.state';

/** The rider stream: registration, transfers, and every movement of the rider's points. */
export const riderDecider = {
  initialState: initialRiderState,
  evolve: evolveRider,

  decide(command: RiderCommand, state: RiderState, context: CommandContext): Decision<RiderEvent> {
    const outOfScope = commandScope(context.actor, command);
    if (outOfScope) return outOfScope;
    if (command.type === 'RegisterRider') return register(command, state);
    if (!state.exists) return notFound(say`rider ${command.riderId}`);
    switch (command.type) {
      case 'TransferRider': {
        if (command.communityId === state.communityId) return [];
        // Staff move only their own riders: a rider of another community is that staff's (or an admin's) to move.
        const notTheirs = staffInCommunity(context.actor, state.communityId, say`move riders`);
        if (notTheirs) return notTheirs;
        return [
          {
            type: 'RiderTransferred',
            data: {
              riderId: state.riderId,
              fromCommunityId: state.communityId,
              toCommunityId: command.communityId,
            },
          },
        ];
      }
      case 'ErasePersonalData':
        return state.erased
          ? []
          : [{ type: 'RiderPersonalDataErased', data: { riderId: state.riderId } }];
      case 'AwardPoints':
        return award(command, state, context);
      case 'ReverseAward':
        return reverse(command, state, context);
      case 'MakeRedemption':
        return redeem(command, state);
      case 'CancelRedemption':
        return cancel(command, state, context);
      default:
        return assertNever(command);
    }
  },
} satisfies Decider<RiderCommand, RiderEvent, RiderState>;

function register(
  command: Extract<RiderCommand, { type: 'RegisterRider' }>,
  state: RiderState,
): Decision<RiderEvent> {
  if (state.exists) {
    return state.registrationId === command.registrationId
      ? []
      : alreadyExists(say`rider ${command.riderId}`);
  }
  const { riderId, communityId, platform, occupation, registrationId, occurredAt, imported } =
    command;
  return [
    {
      type: 'RiderRegistered',
      data: {
        ...{ riderId, communityId, platform, occupation, registrationId },
        ...(occurredAt !== undefined && { occurredAt }),
        ...(imported !== undefined && { imported }),
      },
    },
  ];
}

function award(
  command: AwardPoints,
  state: RiderState,
  context: CommandContext,
): Decision<RiderEvent> {
  const earlier = state.awards.get(command.entryId);
  if (earlier) {
    const same =
      earlier.points === command.points &&
      earlier.fundId === command.fundId &&
      earlier.activity === command.activity;
    return same ? [] : keyReused(say`award ${command.entryId}`);
  }
  const outOfScope = staffInCommunity(context.actor, state.communityId, say`award riders`);
  if (outOfScope) return outOfScope;
  const occurredAt = new Date(command.occurredAt);
  if (Number.isNaN(occurredAt.getTime()))
    return new DomainError('VALIDATION_FAILED', say`occurredAt is not a time`);
  const cap = command.maxPointsPerRiderPerDay;
  if (cap !== undefined) {
    const key = `${dayKeyOfAward(command.occurredAt, state.timeZone)}|${command.activity}`;
    const already = state.dailyPoints.get(key) ?? 0;
    if (already + command.points > cap) {
      return ruleViolation(
        say`rider ${state.riderId} has ${already} ${command.activity} points on that day; the cap is ${cap}`,
      );
    }
  }
  const balanceAfter = addPoints(state.balance, command.points);
  const {
    entryId,
    riderId,
    activity,
    points,
    fundId,
    ruleVersion,
    reason,
    taskId,
    hazardId,
    checkInId,
    evidence,
    imported,
  } = command;
  const awarded: RiderEvent = {
    type: 'PointsAwarded',
    data: {
      entryId,
      riderId,
      communityId: state.communityId,
      activity,
      points,
      fundId,
      ruleVersion,
      reason,
      occurredAt: occurredAt.toISOString(),
      balanceAfter,
      source: command.source,
      ...(taskId !== undefined && { taskId }),
      ...(hazardId !== undefined && { hazardId }),
      ...(checkInId !== undefined && { checkInId }),
      ...(evidence !== undefined && { evidence }),
      ...(imported !== undefined && { imported }),
    },
  };
  const netEarned = state.earned - state.reversed + command.points;
  return [awarded, ...newBadges(state, command.badges, netEarned)];
}

function newBadges(
  state: RiderState,
  badges: readonly BadgeThreshold[],
  netEarned: number,
): RiderEvent[] {
  return badges
    .filter((badge) => !state.badges.has(badge.id) && netEarned >= badge.thresholdPoints)
    .map((badge) => ({
      type: 'BadgeEarned' as const,
      data: {
        riderId: state.riderId,
        badgeId: badge.id,
        name: badge.name,
        thresholdPoints: badge.thresholdPoints,
        earnedPoints: netEarned,
      },
    }));
}

function reverse(
  command: Extract<RiderCommand, { type: 'ReverseAward' }>,
  state: RiderState,
  context: CommandContext,
): Decision<RiderEvent> {
  const earlier = state.reversals.get(command.entryId);
  if (earlier)
    return earlier.reversalOf === command.reversalOf
      ? []
      : keyReused(say`reversal ${command.entryId}`);
  const award = state.awards.get(command.reversalOf);
  if (!award) return notFound(say`award ${command.reversalOf} of rider ${state.riderId}`);
  if (award.reversedBy !== undefined) {
    return new DomainError(
      'ALREADY_REVERSED',
      say`award ${award.entryId} was reversed by ${award.reversedBy}`,
    );
  }
  const outOfScope = staffInCommunity(context.actor, state.communityId, say`reverse awards`);
  if (outOfScope) return outOfScope;
  if (state.balance < award.points) {
    return new DomainError(
      'INSUFFICIENT_BALANCE',
      say`reversing ${award.points} points would take the balance of ${state.balance} below zero`,
    );
  }
  return [
    {
      type: 'AwardReversed',
      data: {
        entryId: command.entryId,
        riderId: state.riderId,
        reversalOf: award.entryId,
        communityId: state.communityId,
        points: award.points,
        fundId: award.fundId,
        reason: command.reason,
        balanceAfter: subtractPoints(state.balance, award.points),
      },
    },
  ];
}

function redeem(
  command: Extract<RiderCommand, { type: 'MakeRedemption' }>,
  state: RiderState,
): Decision<RiderEvent> {
  const earlier = state.redemptions.get(command.redemptionId);
  if (earlier) {
    const same = earlier.points === command.points && earlier.stationId === command.stationId;
    return same ? [] : keyReused(say`redemption ${command.redemptionId}`);
  }
  if (state.balance < command.points) {
    return new DomainError(
      'INSUFFICIENT_BALANCE',
      say`the redemption costs ${command.points} points; the balance is ${state.balance}`,
    );
  }
  const { redemptionId, stationId, items, points, occurredAt, imported } = command;
  const balanceAfter = subtractPoints(state.balance, points);
  return [
    {
      type: 'RedemptionMade',
      data: {
        redemptionId,
        riderId: state.riderId,
        stationId,
        items: [...items],
        points,
        balanceAfter,
        ...(occurredAt !== undefined && { occurredAt }),
        ...(imported !== undefined && { imported }),
      },
    },
  ];
}

function cancel(
  command: Extract<RiderCommand, { type: 'CancelRedemption' }>,
  state: RiderState,
  context: CommandContext,
): Decision<RiderEvent> {
  const redemption = state.redemptions.get(command.redemptionId);
  if (!redemption)
    return notFound(say`redemption ${command.redemptionId} of rider ${state.riderId}`);
  const outOfScope = stationServes(context.actor, redemption.stationId);
  if (outOfScope) return outOfScope;
  if (redemption.cancellation) {
    return new DomainError(
      'ALREADY_CANCELLED',
      say`redemption ${command.redemptionId} was already cancelled`,
    );
  }
  return [
    {
      type: 'RedemptionCancelled',
      data: {
        redemptionId: redemption.redemptionId,
        riderId: state.riderId,
        stationId: redemption.stationId,
        points: redemption.points,
        reason: command.reason,
        balanceAfter: addPoints(state.balance, redemption.points),
      },
    },
  ];
}
