import { say } from '../shared/said';
import type { Decider } from '../shared/decider';
import { alreadyExists, type Decision } from '../shared/domain-error';

/** Communities (社区) belong to a street (街道) of a district (区); riders belong to a community. */
export type CommunityEvent = {
  type: 'CommunityRegistered';
  data: { communityId: string; name: string; street: string; district: string };
};

export type CommunityCommand = {
  type: 'RegisterCommunity';
  communityId: string;
  name: string;
  street: string;
  district: string;
};

export interface CommunityState {
  exists: boolean;
  communityId: string;
  street: string;
  district: string;
}

export const communityDecider = {
  initialState: (): CommunityState => ({
    exists: false,
    communityId: '',
    street: '',
    district: '',
  }),

  evolve(_state: CommunityState, event: CommunityEvent): CommunityState {
    const { communityId, street, district } = event.data;
    return { exists: true, communityId, street, district };
  },

  decide(command: CommunityCommand, state: CommunityState): Decision<CommunityEvent> {
    if (state.exists) return alreadyExists(say`community ${command.communityId}`);
    const { type: _type, ...data } = command;
    return [{ type: 'CommunityRegistered', data }];
  },
} satisfies Decider<CommunityCommand, CommunityEvent, CommunityState>;
