import { BOOTSTRAP_ADMIN_ID } from '../shared/context';
import type { EventText, TokenRef } from '../shared/kept-text';
import { say } from '../shared/said';
import type { Decider } from '../shared/decider';
import type { Role } from '../shared/context';
import {
  alreadyExists,
  assertNever,
  DomainError,
  notFound,
  ruleViolation,
  type Decision,
} from '../shared/domain-error';

/**
 * A principal: who may act, in which role and scope. Since version 2 the event holds neither the
 * name (personal data, kept erasable beside the log) nor anything of the token: `token` names its
 * row in the token table beside the log, which holds the token's SHA-256. Events of version 1
 * held the name and the hash themselves; they are read as `{ inline }` and `{ legacyHash }`.
 */
export type PrincipalEvent =
  | {
      type: 'PrincipalCreated';
      data: {
        principalId: string;
        name: EventText;
        role: Role;
        communityIds: string[];
        stationIds: string[];
        riderId?: string;
        token: TokenRef;
      };
    }
  | { type: 'PrincipalRevoked'; data: { principalId: string } }
  /**
   * A new token acts as the principal (`token` names its row in the token table beside the log).
   * The token it replaces still acts until `previousTokenValidUntil` (the grace its caller chose),
   * or stops at once (`null`); a token replaced earlier, still in its grace, stops now.
   */
  | {
      type: 'PrincipalTokenRotated';
      data: {
        principalId: string;
        token: { tokenId: string };
        previousTokenValidUntil: string | null;
      };
    }
  /** Its name was erased beside the log (only a name kept there can be: version 2 on). */
  | { type: 'PrincipalPersonalDataErased'; data: { principalId: string } };

export type PrincipalCommand =
  | ({ type: 'CreatePrincipal' } & Extract<PrincipalEvent, { type: 'PrincipalCreated' }>['data'])
  | { type: 'RevokePrincipal'; principalId: string }
  | ({ type: 'RotatePrincipalToken' } & Extract<
      PrincipalEvent,
      { type: 'PrincipalTokenRotated' }
    >['data'])
  | { type: 'ErasePrincipalPersonalData'; principalId: string };

export interface PrincipalState {
  exists: boolean;
  revoked: boolean;
  erased: boolean;
  role?: Role;
}

export const principalDecider = {
  initialState: (): PrincipalState => ({ exists: false, revoked: false, erased: false }),

  evolve(state: PrincipalState, event: PrincipalEvent): PrincipalState {
    switch (event.type) {
      case 'PrincipalCreated':
        return { exists: true, revoked: false, erased: false, role: event.data.role };
      case 'PrincipalRevoked':
        return { ...state, revoked: true };
      case 'PrincipalTokenRotated':
        return state;
      case 'PrincipalPersonalDataErased':
        return { ...state, erased: true };
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
              name: { ...data.name },
              communityIds: [...data.communityIds],
              stationIds: [...data.stationIds],
              token: { ...data.token },
            },
          },
        ];
      }
      case 'RevokePrincipal':
        if (!state.exists) return notFound(say`principal ${command.principalId}`);
        return state.revoked
          ? []
          : [{ type: 'PrincipalRevoked', data: { principalId: command.principalId } }];
      case 'RotatePrincipalToken': {
        if (!state.exists) return notFound(say`principal ${command.principalId}`);
        if (state.revoked)
          return ruleViolation(
            say`principal ${command.principalId} is revoked; its token cannot be renewed (create another principal)`,
          );
        const { type: _type, ...data } = command;
        return [{ type: 'PrincipalTokenRotated', data: { ...data, token: { ...data.token } } }];
      }
      case 'ErasePrincipalPersonalData':
        if (!state.exists) return notFound(say`principal ${command.principalId}`);
        return state.erased
          ? []
          : [{ type: 'PrincipalPersonalDataErased', data: { principalId: command.principalId } }];
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
