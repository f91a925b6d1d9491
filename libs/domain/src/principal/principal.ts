import { BOOTSTRAP_ADMIN_ID } from '../shared/context';
import { say } from '../shared/said';
import type { Decider } from '../shared/decider';
import type { Role } from '../shared/context';
import {
  alreadyExists,
  assertNever,
  DomainError,
  notFound,
  type Decision,
} from '../shared/domain-error';

/**
 * A principal: who may act, in which role and scope. The event holds the SHA-256 hash of the
 * token, never the token, so the principals table can be rebuilt from the log.
 */
export type PrincipalEvent =
  | {
      type: 'PrincipalCreated';
      data: {
        principalId: string;
        name: string;
        role: Role;
        communityIds: string[];
        stationIds: string[];
        riderId?: string;
        tokenHash: string;
      };
    }
  | { type: 'PrincipalRevoked'; data: { principalId: string } };

export type PrincipalCommand =
  | ({ type: 'CreatePrincipal' } & Extract<PrincipalEvent, { type: 'PrincipalCreated' }>['data'])
  | { type: 'RevokePrincipal'; principalId: string };

export interface PrincipalState {
  exists: boolean;
  revoked: boolean;
  role?: Role;
}

export const principalDecider = {
  initialState: (): PrincipalState => ({ exists: false, revoked: false }),

  evolve(state: PrincipalState, event: PrincipalEvent): PrincipalState {
    switch (event.type) {
      case 'PrincipalCreated':
        return { exists: true, revoked: false, role: event.data.role };
      case 'PrincipalRevoked':
        return { ...state, revoked: true };
      default:
        return assertNever(event);
    }
  },

  decide(command: PrincipalCommand, state: PrincipalState): Decision<PrincipalEvent> {
    switch (command.type) {
      case 'CreatePrincipal': {
        if (state.exists) return alreadyExists(say`principal ${command.principalId}`);
        if (command.principalId === BOOTSTRAP_ADMIN_ID)
          return new DomainError(
            'ALREADY_EXISTS',
            say`principal ${BOOTSTRAP_ADMIN_ID} is the bootstrap admin; choose another id`,
          );
        const scopeProblem = checkScope(command);
        if (scopeProblem) return scopeProblem;
        const { type: _type, ...data } = command;
        return [
          {
            type: 'PrincipalCreated',
            data: {
              ...data,
              communityIds: [...data.communityIds],
              stationIds: [...data.stationIds],
            },
          },
        ];
      }
      case 'RevokePrincipal':
        if (!state.exists) return notFound(say`principal ${command.principalId}`);
        return state.revoked
          ? []
          : [{ type: 'PrincipalRevoked', data: { principalId: command.principalId } }];
      default:
        return assertNever(command);
    }
  },
} satisfies Decider<PrincipalCommand, PrincipalEvent, PrincipalState>;

/** api.md: staff need communities, stations need stations, a rider principal needs its rider. */
function checkScope(
  command: Extract<PrincipalCommand, { type: 'CreatePrincipal' }>,
): DomainError | undefined {
  if (command.role === 'staff' && command.communityIds.length === 0) {
    return new DomainError('VALIDATION_FAILED', say`a staff principal needs communityIds`);
  }
  if (command.role === 'station' && command.stationIds.length === 0) {
    return new DomainError('VALIDATION_FAILED', say`a station principal needs stationIds`);
  }
  if (command.role === 'rider' && !command.riderId) {
    return new DomainError('VALIDATION_FAILED', say`a rider principal needs riderId`);
  }
  return undefined;
}
