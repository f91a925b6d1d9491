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
 * A reservation a closing book hands to the next: made within the day before (a retry still
 * meets it), or older and still open. `book`: the book it was made in (its age).
 */
export type CarriedReservation = {
  readonly entryId: string;
  readonly riderId: string;
  readonly points: number;
  readonly book: string;
  /** Set when it was released in the closing book: a retry is answered with this refusal. */
  readonly released?: { readonly code: DomainErrorCode; readonly reason: string };
};

/**
 * What a closing book carries forward, and what the next book opens with: the fund's figures,
 * the reservations still open, and what a retry of an act of the closing book must still find.
 */
export type BookFigures = {
  readonly fundId: string;
  readonly name: string;
  readonly district: string;
  readonly budgetPoints: number;
  readonly awardedPoints: number;
  readonly reversedPoints: number;
  readonly reservations: readonly CarriedReservation[];
  /** Reversals returned within the day before (a second return of one is then a repeat). */
  readonly returns: readonly { readonly entryId: string; readonly book: string }[];
};

/**
 * The fund keeps the budget, in books (docs/protocols.md, "Fund books"): the fund's first stream,
 * `fund-{id}`, then one stream per book, `fund-{id}@{hour}`. An award first reserves its points in
 * the open book (the fund can refuse: FUND_EXHAUSTED), then credits the rider; if the rider
 * refuses, the reservation is released. A reversal returns the points. remaining = budget −
 * reserved + returned. A book is closed with its figures and open reservations, and the next
 * opens with them, so a book's state is its own acts and what was carried, never the fund's past.
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
    }
  | {
      type: 'FundBookClosed';
      /** `book`: the closing book ('' for the fund's first stream); `next`: the book that follows. */
      data: BookFigures & { book: string; next: string };
    }
  | {
      type: 'FundBookOpened';
      /** `previous`: the book it follows ('' for the fund's first stream). */
      data: BookFigures & { book: string; previous: string };
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
    }
  | {
      /**
       * Closes the book into `next`. Reservations and returns made since `keepSince` (a book name,
       * the day before) go on, so retries meet them; older ones go on only while open: not
       * released and not in `settled` (finished as the log shows: credited or released).
       */
      type: 'CloseBook';
      fundId: string;
      next: string;
      keepSince: string;
      settled: ReadonlySet<string>;
    }
  | { type: 'OpenBook'; fundId: string; from: Extract<FundEvent, { type: 'FundBookClosed' }> };

interface Reservation {
  readonly riderId: string;
  readonly points: number;
  readonly released?: { code: DomainErrorCode; reason: string };
  /** The book it was made in, when carried from an earlier book; unset when made in this one. */
  readonly book?: string;
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
  /** Reversal entry ids returned, with the book of a carried one (unset: returned in this book). */
  readonly returns: Map<string, string | undefined>;
  /** This book: '' for the fund's first stream, else the local hour it was opened (YYYY-MM-DDTHH). */
  book: string;
  /** Acts recorded in this book (reservations, releases, returns, top-ups): 0 for an idle book. */
  acts: number;
  /** Set once the book is closed: what it carried forward, and `next`, where every act goes. */
  closing: Extract<FundEvent, { type: 'FundBookClosed' }>['data'] | undefined;
}

/** The events that are acts on the fund (the rest create it or open and close its books). */
const ACTS = new Set<FundEvent['type']>([
  'FundToppedUp',
  'FundPointsReserved',
  'FundReservationReleased',
  'FundPointsReturned',
]);

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
    returns: new Map(),
    book: '',
    acts: 0,
    closing: undefined,
  }),

  evolve(state: FundState, event: FundEvent): FundState {
    if (ACTS.has(event.type)) state.acts++;
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
        // Released in this book: carried as made here, for a retry to meet its refusal.
        state.reservations.set(event.data.entryId, {
          riderId: reservation.riderId,
          points: reservation.points,
          released: { code: event.data.code, reason: event.data.reason },
        });
        state.awardedPoints = subtractPoints(state.awardedPoints, event.data.points);
        break;
      }
      case 'FundPointsReturned':
        state.reversedPoints = addPoints(state.reversedPoints, event.data.points);
        state.returns.set(event.data.entryId, undefined);
        break;
      case 'FundBookClosed':
        // A closed book only answers where acts go now: what it held is in the closing.
        state.closing = event.data;
        state.reservations.clear();
        state.returns.clear();
        break;
      case 'FundBookOpened':
        openWith(state, event.data);
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
    if (command.type === 'OpenBook') return state.exists ? [] : [openingOf(command.from)];
    if (!state.exists) return notFound(say`fund ${command.fundId}`);
    if (state.closing !== undefined) {
      const { next } = state.closing;
      if (command.type === 'CloseBook' && command.next === next) return [];
      return new DomainError(
        'BOOK_CLOSED',
        say`fund ${state.fundId}: book ${state.book || 'opening'} is closed; acts go to ${next}`,
      );
    }
    switch (command.type) {
      case 'CloseBook':
        // A book opened in the hour it would close into (or later) has nothing to close.
        return state.book >= command.next ? [] : [closingOf(state, command)];
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

/** The closing event of a book: its figures, the reservations still open, what retries need. */
function closingOf(
  state: FundState,
  command: Extract<FundCommand, { type: 'CloseBook' }>,
): Extract<FundEvent, { type: 'FundBookClosed' }> {
  const reservations: CarriedReservation[] = [];
  // What is made in the closing book is named by it (the first stream's, by the book it closes into).
  const here = state.book || command.next;
  const kept = (made: string | undefined) => made === undefined || made >= command.keepSince;
  for (const [entryId, { riderId, points, released, book }] of state.reservations) {
    // Made within the day before: goes on, so a retry (or a request that stalled across a
    // closing) still meets it. Older: goes on only while open (not released, not finished).
    if (kept(book) || (!released && !command.settled.has(entryId)))
      reservations.push({
        entryId,
        riderId,
        points,
        book: book ?? here,
        ...(released && { released }),
      });
  }
  const returns: { entryId: string; book: string }[] = [];
  for (const [entryId, book] of state.returns)
    if (kept(book)) returns.push({ entryId, book: book ?? here });
  return {
    type: 'FundBookClosed',
    data: { ...figuresOf(state), reservations, returns, book: state.book, next: command.next },
  };
}

/** The figures a book hands on: the fund's name and district, its budget and what moved. */
function figuresOf(from: Omit<BookFigures, 'reservations' | 'returns'>) {
  const { fundId, name, district, budgetPoints, awardedPoints, reversedPoints } = from;
  return { fundId, name, district, budgetPoints, awardedPoints, reversedPoints };
}

/** The first event of the book a closing names: the same figures and carried reservations. */
export function openingOf(
  closed: Extract<FundEvent, { type: 'FundBookClosed' }>,
): Extract<FundEvent, { type: 'FundBookOpened' }> {
  const { book, next, ...figures } = closed.data;
  return { type: 'FundBookOpened', data: { ...figures, book: next, previous: book } };
}

function openWith(state: FundState, data: BookFigures & { book: string }): void {
  Object.assign(state, { exists: true, ...figuresOf(data), book: data.book });
  for (const { entryId, riderId, points, released, book } of data.reservations)
    state.reservations.set(entryId, {
      riderId,
      points,
      book,
      ...(released && { released }),
    });
  for (const { entryId, book } of data.returns) state.returns.set(entryId, book);
}
