import { say } from '../shared/said';
import type { Decider } from '../shared/decider';
import {
  alreadyExists,
  assertNever,
  DomainError,
  notFound,
  ruleViolation,
  type Decision,
} from '../shared/domain-error';
import type { CommandContext } from '../shared/context';
import { riderAsItself, staffInCommunity } from '../shared/scope';
import type { Activity } from '../rules/rules';

/** The code's step (RFC 6238): a code shown is good for this long, and one step either side. */
export const CHECK_IN_STEP_SECONDS = 30;
/** How long a check-in may stay open: a patrol shift or a task's day, not a standing code. */
export const MAX_CHECK_IN_HOURS = 24;
/** The longest stay a check-in may ask of a rider before its award (a patrol's minimum). */
export const MAX_MINIMUM_MINUTES = 12 * 60;

/**
 * A check-in (签到, issue 17): staff open it for a task or a patrol shift in their community; the
 * console shows its rotating 6-digit code (TOTP, RFC 6238, 30 s); a rider types or scans the code
 * from its own principal within the window. With `minMinutes`, the rider also checks out with a
 * later code, at least that long after checking in (and at most that long after the check-in
 * closes). The award (source `check-in`) follows at check-in, or at check-out when a stay is
 * asked; its outcome is recorded here (`CheckInAwarded`, `CheckInAwardRefused`), so a retry or a
 * crash finishes it and a refused one is never paid later behind the back of a staff back-fill.
 */
export type CheckInEvent =
  | {
      type: 'CheckInOpened';
      data: {
        checkInId: string;
        communityId: string;
        /** A task's (its completion) or a patrol shift's (the `patrol` rule's points). */
        kind: 'task' | 'patrol';
        taskId?: string;
        activity: Activity;
        fundId: string;
        title: string;
        opensAt: string;
        closesAt: string;
        minMinutes?: number;
      };
    }
  | {
      type: 'RiderCheckedIn';
      /** `step`: the code's (RFC 6238 counter); `at`: when the rider checked in. */
      data: { checkInId: string; riderId: string; step: number; at: string };
    }
  | {
      type: 'RiderCheckedOut';
      data: { checkInId: string; riderId: string; step: number; at: string; minutes: number };
    }
  | { type: 'CheckInClosed'; data: { checkInId: string; at: string } }
  | {
      type: 'CheckInAwarded';
      data: { checkInId: string; riderId: string; entryId: string; points: number };
    }
  | {
      type: 'CheckInAwardRefused';
      /** The ledger refused the award (a fund spent, a cap reached): staff may back-fill it. */
      data: { checkInId: string; riderId: string; code: string; reason: string };
    };

/** The step a code named, as the ledger matched it (the secret is not the domain's to hold). */
export interface CodeMatch {
  /** The step the code is of; undefined when it is of none near (a wrong code). */
  readonly step?: number;
  /** Now's step: a code of an older step than now − 1 is late. */
  readonly now: number;
}

export type CheckInCommand =
  | ({ type: 'OpenCheckIn' } & Omit<Opened, 'opensAt'> & { opensAt?: string })
  | {
      type: 'CheckIn';
      checkInId: string;
      riderId: string;
      /** The rider's community now; a task's check-in also needs its sign-up. */
      riderCommunityId: string;
      signedUp: boolean;
      code: CodeMatch;
    }
  | { type: 'CheckOut'; checkInId: string; riderId: string; code: CodeMatch }
  | { type: 'CloseCheckIn'; checkInId: string }
  | {
      type: 'RecordCheckInAward';
      checkInId: string;
      riderId: string;
      outcome: { entryId: string; points: number } | { code: string; reason: string };
    };

export interface CheckInState {
  exists: boolean;
  opened?: Extract<CheckInEvent, { type: 'CheckInOpened' }>['data'];
  closedAt?: string;
  /** Riders checked in: the step of their code, when, and their check-out. */
  readonly riders: Map<string, CheckedIn>;
}

export interface CheckedIn {
  step: number;
  at: string;
  out?: { step: number; at: string; minutes: number };
  /** The award's outcome, once recorded. */
  award?: { entryId: string; points: number } | { code: string; reason: string };
}

export const checkInDecider = {
  initialState: (): CheckInState => ({ exists: false, riders: new Map() }),

  evolve(state: CheckInState, event: CheckInEvent): CheckInState {
    switch (event.type) {
      case 'CheckInOpened':
        return { ...state, exists: true, opened: event.data };
      case 'RiderCheckedIn':
        state.riders.set(event.data.riderId, { step: event.data.step, at: event.data.at });
        return state;
      case 'RiderCheckedOut': {
        const rider = state.riders.get(event.data.riderId);
        const { step, at, minutes } = event.data;
        if (rider) state.riders.set(event.data.riderId, { ...rider, out: { step, at, minutes } });
        return state;
      }
      case 'CheckInClosed':
        return { ...state, closedAt: event.data.at };
      case 'CheckInAwarded':
      case 'CheckInAwardRefused': {
        const rider = state.riders.get(event.data.riderId);
        const { type: _type, data } = event;
        const award =
          'entryId' in data
            ? { entryId: data.entryId, points: data.points }
            : { code: data.code, reason: data.reason };
        if (rider) state.riders.set(data.riderId, { ...rider, award });
        return state;
      }
      default:
        return assertNever(event);
    }
  },

  decide(
    command: CheckInCommand,
    state: CheckInState,
    context: CommandContext,
  ): Decision<CheckInEvent> {
    if (command.type === 'OpenCheckIn') return open(command, state, context);
    const opened = state.opened;
    if (!state.exists || !opened) return notFound(say`check-in ${command.checkInId}`);
    switch (command.type) {
      case 'CheckIn':
        return checkIn(command, state, opened, context);
      case 'CheckOut':
        return checkOut(command, state, opened, context);
      case 'CloseCheckIn': {
        const outOfScope = staffInCommunity(
          context.actor,
          opened.communityId,
          say`close check-ins`,
        );
        if (outOfScope) return outOfScope;
        if (state.closedAt !== undefined) return [];
        const { checkInId } = opened;
        return [{ type: 'CheckInClosed', data: { checkInId, at: context.now.toISOString() } }];
      }
      case 'RecordCheckInAward':
        return recordAward(command, state, opened);
      default:
        return assertNever(command);
    }
  },
} satisfies Decider<CheckInCommand, CheckInEvent, CheckInState>;

type Opened = Extract<CheckInEvent, { type: 'CheckInOpened' }>['data'];

function open(
  command: Extract<CheckInCommand, { type: 'OpenCheckIn' }>,
  state: CheckInState,
  context: CommandContext,
): Decision<CheckInEvent> {
  const outOfScope = staffInCommunity(context.actor, command.communityId, say`open check-ins`);
  if (outOfScope) return outOfScope;
  const { type: _type, ...asked } = command;
  const data = normalised({ ...asked, opensAt: asked.opensAt ?? context.now.toISOString() });
  if (state.opened) {
    // The same opening sent again is the same check-in (`opensAt` too, when it was sent);
    // another under its id is refused.
    return sameOpening(state.opened, data, asked.opensAt !== undefined)
      ? []
      : alreadyExists(say`check-in ${command.checkInId}`);
  }
  const opens = Date.parse(data.opensAt);
  const closes = Date.parse(data.closesAt);
  if (Number.isNaN(opens) || Number.isNaN(closes))
    return new DomainError('VALIDATION_FAILED', say`opensAt and closesAt must be ISO-8601 times`);
  if (closes <= opens) return ruleViolation(say`a check-in must close after it opens`);
  if (closes - opens > MAX_CHECK_IN_HOURS * 3_600_000)
    return ruleViolation(say`a check-in may stay open at most ${MAX_CHECK_IN_HOURS} hours`);
  if (closes <= context.now.getTime()) return ruleViolation(say`closesAt is in the past`);
  const { minMinutes } = data;
  if (
    minMinutes !== undefined &&
    (!Number.isSafeInteger(minMinutes) || minMinutes < 1 || minMinutes > MAX_MINIMUM_MINUTES)
  )
    return new DomainError(
      'VALIDATION_FAILED',
      say`minMinutes must be a whole number from 1 to ${MAX_MINIMUM_MINUTES}`,
    );
  if (minMinutes !== undefined && minMinutes * 60_000 > closes - opens)
    return ruleViolation(say`a stay of ${minMinutes} min does not fit in the check-in's window`);
  if (data.kind === 'task' && data.taskId === undefined)
    return new DomainError('VALIDATION_FAILED', say`a task's check-in names its taskId`);
  return [{ type: 'CheckInOpened', data }];
}

function normalised(data: Opened): Opened {
  const iso = (t: string) => {
    const ms = Date.parse(t);
    return Number.isNaN(ms) ? t : new Date(ms).toISOString();
  };
  return { ...data, opensAt: iso(data.opensAt), closesAt: iso(data.closesAt) };
}

/** Field by field (the log's JSON keeps no key order): the same check-in, asked again. */
function sameOpening(kept: Opened, asked: Opened, opensAtSent: boolean): boolean {
  const fields: (keyof Opened)[] = [
    'communityId',
    'kind',
    'taskId',
    'activity',
    'fundId',
    'title',
    'closesAt',
    'minMinutes',
  ];
  return (
    fields.every((f) => kept[f] === asked[f]) && (!opensAtSent || kept.opensAt === asked.opensAt)
  );
}

/** An award's outcome, recorded once for a rider checked in (out, when a stay is asked). */
function recordAward(
  command: Extract<CheckInCommand, { type: 'RecordCheckInAward' }>,
  state: CheckInState,
  opened: Opened,
): Decision<CheckInEvent> {
  const rider = state.riders.get(command.riderId);
  if (!rider) return ruleViolation(say`rider ${command.riderId} has not checked in here`);
  if (rider.award) return [];
  const { checkInId } = opened;
  const { riderId, outcome } = command;
  return 'entryId' in outcome
    ? [{ type: 'CheckInAwarded', data: { checkInId, riderId, ...outcome } }]
    : [{ type: 'CheckInAwardRefused', data: { checkInId, riderId, ...outcome } }];
}

/** Why a code is not good now, in words a rider at the site understands. */
function codeRefusal(code: CodeMatch): DomainError | undefined {
  if (code.step === undefined)
    return new DomainError(
      'CODE_REFUSED',
      say`this is not the check-in's code; type the code shown now`,
    );
  const late = code.now - code.step;
  if (late > 1) {
    const seconds = (late - 1) * CHECK_IN_STEP_SECONDS;
    const minutes = Math.floor(seconds / 60);
    return new DomainError(
      'CODE_REFUSED',
      minutes >= 1
        ? say`the code expired ${minutes} min ago; type the code shown now`
        : say`the code expired ${seconds} s ago; type the code shown now`,
    );
  }
  return undefined;
}

/** Whether the check-in takes riders now: opened, not closed, within its window. */
function windowRefusal(state: CheckInState, opened: Opened, now: number): DomainError | undefined {
  if (state.closedAt !== undefined)
    return ruleViolation(say`check-in ${opened.checkInId} was closed at ${state.closedAt}`);
  if (now < Date.parse(opened.opensAt))
    return ruleViolation(say`check-in ${opened.checkInId} opens at ${opened.opensAt}`);
  if (now >= Date.parse(opened.closesAt))
    return ruleViolation(say`check-in ${opened.checkInId} closed at ${opened.closesAt}`);
  return undefined;
}

function checkIn(
  command: Extract<CheckInCommand, { type: 'CheckIn' }>,
  state: CheckInState,
  opened: Opened,
  context: CommandContext,
): Decision<CheckInEvent> {
  const asItself = riderAsItself(context.actor, command.riderId);
  if (asItself) return asItself;
  const earlier = state.riders.get(command.riderId);
  if (earlier) return alreadyExists(say`rider ${command.riderId}'s check-in at ${earlier.at}`);
  const refused = windowRefusal(state, opened, context.now.getTime()) ?? codeRefusal(command.code);
  if (refused) return refused;
  if (command.riderCommunityId !== opened.communityId)
    return ruleViolation(
      say`check-in ${opened.checkInId} is for riders of community ${opened.communityId}`,
    );
  if (opened.kind === 'task' && !command.signedUp)
    return ruleViolation(
      say`rider ${command.riderId} did not sign up for task ${opened.taskId ?? ''}`,
    );
  const { checkInId } = opened;
  const { riderId } = command;
  const step = command.code.step ?? 0;
  return [
    { type: 'RiderCheckedIn', data: { checkInId, riderId, step, at: context.now.toISOString() } },
  ];
}

function checkOut(
  command: Extract<CheckInCommand, { type: 'CheckOut' }>,
  state: CheckInState,
  opened: Opened,
  context: CommandContext,
): Decision<CheckInEvent> {
  const asItself = riderAsItself(context.actor, command.riderId);
  if (asItself) return asItself;
  const rider = state.riders.get(command.riderId);
  if (!rider) return ruleViolation(say`rider ${command.riderId} has not checked in here`);
  if (rider.out) return alreadyExists(say`rider ${command.riderId}'s check-out`);
  const refused = codeRefusal(command.code);
  if (refused) return refused;
  // A code used once per rider: the one it checked in with does not check it out.
  if (command.code.step !== undefined && command.code.step <= rider.step)
    return new DomainError(
      'CODE_REFUSED',
      say`this code was used to check in; type the code shown now`,
    );
  const now = context.now.getTime();
  // A stay may end after the check-in closed, but not later than the stay asked past it.
  const lastOut = Date.parse(opened.closesAt) + (opened.minMinutes ?? 0) * 60_000;
  if (now > lastOut)
    return ruleViolation(
      say`check-outs of check-in ${opened.checkInId} ended at ${new Date(lastOut).toISOString()}`,
    );
  const minutes = Math.floor((now - Date.parse(rider.at)) / 60_000);
  if (opened.minMinutes !== undefined && minutes < opened.minMinutes)
    return ruleViolation(
      say`a stay of ${opened.minMinutes} min is asked; ${minutes} min since the check-in`,
    );
  const { checkInId } = opened;
  const { riderId } = command;
  const step = command.code.step ?? 0;
  const at = context.now.toISOString();
  return [{ type: 'RiderCheckedOut', data: { checkInId, riderId, step, at, minutes } }];
}
