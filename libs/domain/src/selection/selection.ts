import { say } from '../shared/said';
import type { Decider } from '../shared/decider';
import {
  alreadyExists,
  assertNever,
  DomainError,
  notFound,
  type Decision,
} from '../shared/domain-error';

export interface Winner {
  readonly rank: number;
  readonly riderId: string;
  readonly points: number;
}

/**
 * The annual top-ten selection (十佳最美小哥). Closing records the cut-off (the last event of the
 * log it was computed from) and the winners; anyone replaying the log to the cut-off gets them again.
 */
export type SelectionEvent =
  | {
      type: 'SelectionOpened';
      data: { selectionId: string; district: string; year: number; size: number };
    }
  | {
      type: 'SelectionClosed';
      data: {
        selectionId: string;
        cutoffPosition: number;
        cutoffCursor: string;
        winners: Winner[];
      };
    };

export type SelectionCommand =
  | { type: 'OpenSelection'; selectionId: string; district: string; year: number; size: number }
  | {
      type: 'CloseSelection';
      selectionId: string;
      cutoffPosition: number;
      cutoffCursor: string;
      winners: readonly Winner[];
    };

export interface SelectionState {
  exists: boolean;
  closed: boolean;
  district: string;
  year: number;
  size: number;
}

/** Selections are of up to this many riders (api.md fixes 10 as the usual size). */
/** A top-ten selection (十佳) names at most ten riders. */
export const MAX_SELECTION_SIZE = 10;

export const selectionDecider = {
  initialState: (): SelectionState => ({
    exists: false,
    closed: false,
    district: '',
    year: 0,
    size: 0,
  }),

  evolve(state: SelectionState, event: SelectionEvent): SelectionState {
    switch (event.type) {
      case 'SelectionOpened':
        return {
          exists: true,
          closed: false,
          district: event.data.district,
          year: event.data.year,
          size: event.data.size,
        };
      case 'SelectionClosed':
        return { ...state, closed: true };
      default:
        return assertNever(event);
    }
  },

  decide(command: SelectionCommand, state: SelectionState): Decision<SelectionEvent> {
    switch (command.type) {
      case 'OpenSelection': {
        if (state.exists) return alreadyExists(say`selection ${command.selectionId}`);
        if (
          !Number.isSafeInteger(command.size) ||
          command.size < 1 ||
          command.size > MAX_SELECTION_SIZE
        ) {
          return new DomainError(
            'VALIDATION_FAILED',
            say`size must be from 1 to ${MAX_SELECTION_SIZE}`,
          );
        }
        const { selectionId, district, year, size } = command;
        return [{ type: 'SelectionOpened', data: { selectionId, district, year, size } }];
      }
      case 'CloseSelection': {
        if (!state.exists) return notFound(say`selection ${command.selectionId}`);
        if (state.closed)
          return new DomainError(
            'SELECTION_CLOSED',
            say`selection ${command.selectionId} is already closed`,
          );
        const { selectionId, cutoffPosition, cutoffCursor, winners } = command;
        return [
          {
            type: 'SelectionClosed',
            data: { selectionId, cutoffPosition, cutoffCursor, winners: [...winners] },
          },
        ];
      }
      default:
        return assertNever(command);
    }
  },
} satisfies Decider<SelectionCommand, SelectionEvent, SelectionState>;
