import { say } from '../shared/said';
import type { Decider } from '../shared/decider';
import {
  alreadyExists,
  answerAsBefore,
  assertNever,
  DomainError,
  invariant,
  keyReused,
  notFound,
  type Decision,
  type DomainErrorCode,
} from '../shared/domain-error';
import { addPoints, isValidPoints, subtractPoints } from '../shared/points';
import type { AwardPoints } from '../rider/rider.commands';

/** What the rider stream needs to finish an award, as reserved (badges are read when applied). */
export type PendingAward = Omit<
  AwardPoints,
  'type' | 'entryId' | 'riderId' | 'points' | 'fundId' | 'badges'
>;

/**
 * The fund stream keeps the budget. An award first reserves its points here (the fund can refuse:
 * FUND_EXHAUSTED), then credits the rider; if the rider refuses, the reservation is released.
 * A reversal returns the points. remaining = budget − reserved + returned.
 */
export type FundEvent =
  | {
      type: 'FundCreated';
      data: { fundId: string; name: string; district: string; budgetPoints: number };
    }
  | {
      type: 'FundToppedUp';
      data: { fundId: string; points: number; reason: string; budgetAfter: number };
    }
  | {
      type: 'FundPointsReserved';
      /** `award` is the rider's half of the award, so recovery can complete it after a crash. */
      data: {
        fundId: string;
        entryId: string;
        riderId: string;
        points: number;
        award: PendingAward;
      };
    }
  | {
      type: 'FundReservationReleased';
      data: {
        fundId: string;
        entryId: string;
        points: number;
        code: DomainErrorCode;
        reason: string;
      };
    }
  | {
      type: 'FundPointsReturned';
      data: { fundId: string; entryId: string; reversalOf: string; points: number };
    };

export type FundCommand =
  | { type: 'CreateFund'; fundId: string; name: string; district: string; budgetPoints: number }
  | { type: 'TopUpFund'; fundId: string; points: number; reason: string }
  | {
      type: 'ReserveFundPoints';
      fundId: string;
      entryId: string;
      riderId: string;
      points: number;
      award: PendingAward;
    }
  | {
      type: 'ReleaseReservation';
      fundId: string;
      entryId: string;
      code: DomainErrorCode;
      reason: string;
    }
  | {
      type: 'ReturnFundPoints';
      fundId: string;
      entryId: string;
      reversalOf: string;
      points: number;
    };

interface Reservation {
  readonly riderId: string;
  readonly points: number;
  released?: { code: DomainErrorCode; reason: string };
}

export interface FundState {
  exists: boolean;
  fundId: string;
  name: string;
  district: string;
  budgetPoints: number;
  /** Points reserved for awards and not released. */
  awardedPoints: number;
  /** Points given back by reversals. */
  reversedPoints: number;
  readonly reservations: Map<string, Reservation>;
  /** Reversal entry ids already returned. */
  readonly returns: Set<string>;
}

export function remainingPoints(state: FundState): number {
  return state.budgetPoints - state.awardedPoints + state.reversedPoints;
}

export const fundDecider = {
  initialState: (): FundState => ({
    exists: false,
    fundId: '',
    name: '',
    district: '',
    budgetPoints: 0,
    awardedPoints: 0,
    reversedPoints: 0,
    reservations: new Map(),
    returns: new Set(),
  }),

  evolve(state: FundState, event: FundEvent): FundState {
    switch (event.type) {
      case 'FundCreated':
        Object.assign(state, { exists: true, ...event.data });
        break;
      case 'FundToppedUp':
        state.budgetPoints = addPoints(state.budgetPoints, event.data.points);
        break;
      case 'FundPointsReserved':
        state.awardedPoints = addPoints(state.awardedPoints, event.data.points);
        state.reservations.set(event.data.entryId, {
          riderId: event.data.riderId,
          points: event.data.points,
        });
        break;
      case 'FundReservationReleased': {
        const reservation = state.reservations.get(event.data.entryId);
        invariant(
          reservation !== undefined && !reservation.released,
          `released reservation ${event.data.entryId} is open`,
        );
        reservation.released = { code: event.data.code, reason: event.data.reason };
        state.awardedPoints = subtractPoints(state.awardedPoints, event.data.points);
        break;
      }
      case 'FundPointsReturned':
        state.reversedPoints = addPoints(state.reversedPoints, event.data.points);
        state.returns.add(event.data.entryId);
        break;
      default:
        assertNever(event);
    }
    invariant(remainingPoints(state) >= 0, `fund ${state.fundId} is not over budget`);
    return state;
  },

  decide(command: FundCommand, state: FundState): Decision<FundEvent> {
    if (command.type === 'CreateFund') {
      if (state.exists) return alreadyExists(say`fund ${command.fundId}`);
      const { fundId, name, district, budgetPoints } = command;
      return [{ type: 'FundCreated', data: { fundId, name, district, budgetPoints } }];
    }
    if (!state.exists) return notFound(say`fund ${command.fundId}`);
    switch (command.type) {
      case 'TopUpFund': {
        if (!isValidPoints(command.points))
          return new DomainError('VALIDATION_FAILED', say`points must be 1-1,000,000`);
        const budgetAfter = addPoints(state.budgetPoints, command.points);
        return [
          {
            type: 'FundToppedUp',
            data: {
              fundId: state.fundId,
              points: command.points,
              reason: command.reason,
              budgetAfter,
            },
          },
        ];
      }
      case 'ReserveFundPoints':
        return reserve(command, state);
      case 'ReleaseReservation': {
        const reservation = state.reservations.get(command.entryId);
        if (!reservation) return notFound(say`reservation ${command.entryId}`);
        if (reservation.released) return [];
        const { entryId, code, reason } = command;
        return [
          {
            type: 'FundReservationReleased',
            data: { fundId: state.fundId, entryId, points: reservation.points, code, reason },
          },
        ];
      }
      case 'ReturnFundPoints': {
        if (state.returns.has(command.entryId)) return [];
        const { entryId, reversalOf, points } = command;
        return [
          {
            type: 'FundPointsReturned',
            data: { fundId: state.fundId, entryId, reversalOf, points },
          },
        ];
      }
      default:
        return assertNever(command);
    }
  },
} satisfies Decider<FundCommand, FundEvent, FundState>;

function reserve(
  command: Extract<FundCommand, { type: 'ReserveFundPoints' }>,
  state: FundState,
): Decision<FundEvent> {
  const earlier = state.reservations.get(command.entryId);
  if (earlier) {
    if (earlier.riderId !== command.riderId || earlier.points !== command.points) {
      return keyReused(say`award ${command.entryId}`);
    }
    // A retry: answer as the first attempt ended (released means it was refused).
    return answerAsBefore(earlier.released);
  }
  const remaining = remainingPoints(state);
  if (command.points > remaining) {
    return new DomainError(
      'FUND_EXHAUSTED',
      say`fund ${state.fundId} has ${remaining} points left; the award needs ${command.points}`,
    );
  }
  const { entryId, riderId, points, award } = command;
  return [
    { type: 'FundPointsReserved', data: { fundId: state.fundId, entryId, riderId, points, award } },
  ];
}
