import type { Decider } from '../shared/decider';
import type { Decision } from '../shared/domain-error';

/**
 * A seal vouches for the whole log up to a head: one digest over every stream's last (revision,
 * hash) there. Deleting a stream's last events, which its own chain cannot show, changes it.
 */
export type SealEvent = {
  type: 'LogSealed';
  data: { headPosition: number; headCursor: string; streams: number; digest: string };
};

export type SealCommand = { type: 'SealLog' } & SealEvent['data'];

export interface SealState {
  lastHeadPosition: number;
}

export const sealDecider = {
  initialState: (): SealState => ({ lastHeadPosition: -1 }),
  evolve(_state: SealState, event: SealEvent): SealState {
    return { lastHeadPosition: event.data.headPosition };
  },
  /** Nothing new to seal when the head has not moved past the last seal. */
  decide(command: SealCommand, state: SealState): Decision<SealEvent> {
    if (command.headPosition <= state.lastHeadPosition) return [];
    const { type: _type, ...data } = command;
    return [{ type: 'LogSealed', data }];
  },
} satisfies Decider<SealCommand, SealEvent, SealState>;
