import {
  DomainError as Refusal,
  fundStream,
  isDomainError,
  say,
  type FundCommand,
  type FundState,
  riderDecider,
  riderStream,
  type Decider,
  type DomainError,
  type LedgerEvent,
  type RiderCommand,
  type RiderState,
} from '@ledger/domain';
import type { LedgerRequest } from '../write/ledger-request';
import type { StreamWriter, Written } from '../write/stream-writer';
import { FundBooks } from './fund-books';

/** One command on one stream, checked against that stream's decider. */
export interface Step<S> {
  readonly stream: string;
  run(writer: StreamWriter, request: LedgerRequest): Promise<Written<S> | DomainError>;
}

export function step<C, E extends LedgerEvent, S>(
  decider: Decider<C, E, S>,
  stream: string,
  command: C,
): Step<S> {
  return { stream, run: (writer, request) => writer.execute(decider, stream, command, request) };
}

/** What every act answers: the points it moved, the rider's balance after, where in the log. */
export type Moved<About> = Readonly<About> & {
  readonly points: number;
  readonly balanceAfter: number;
  readonly position: number;
};

/** A command on a fund, in its open book (fund-books.ts). */
export function onFund(command: FundCommand): Step<FundState> {
  return {
    stream: fundStream(command.fundId),
    run: (writer, request) => FundBooks.of(writer).execute(command, request),
  };
}

/** The binding step of every act: a command on the rider's own stream. */
export function onRider(command: RiderCommand): Step<RiderState> {
  return step(riderDecider, riderStream(command.riderId), command);
}

/**
 * What an applied step recorded (an award, a redemption …) and where in the log: its absence
 * after the append is a bug, not a refusal.
 */
export function recorded<S, T>(
  written: Written<S>,
  find: (state: S) => T | undefined,
  what: string,
): T & { position: number } {
  const record = find(written.state);
  if (record === undefined || written.position === undefined)
    throw new Error(`${what} missing after it was written`);
  return { ...record, position: written.position };
}

/**
 * An act that starts on the rider (a reversal, a cancellation): the rider's step binds, and what
 * it recorded says where the second step goes. Answers that record and its position.
 */
export async function riderFirst<T>(
  writer: StreamWriter,
  request: LedgerRequest,
  act: {
    command: RiderCommand;
    record: (state: RiderState) => T | undefined;
    follow: (record: T) => Step<unknown>;
    what: string;
  },
): Promise<(T & { position: number }) | DomainError> {
  const { command, record, follow, what } = act;
  const applied = await settle(writer, request, {
    apply: onRider(command),
    follow: (written) => follow(recorded(written, record, what)),
  });
  return isDomainError(applied) ? applied : recorded(applied, record, what);
}

/**
 * A two-stream act of the ledger (docs/protocols.md), as every one of them runs:
 * - `hold`: reserve on the giving stream (a fund's points, a station's stock); left out when the
 *   hold is already there (a retry, or recovery finishing an act);
 * - `apply`: the binding step, on the rider;
 * - `undo`: when the rider refuses, release the hold (a hold that is not there is fine);
 * - `follow`: what always comes after an applied step (points back to a fund, stock back to a
 *   station), which its stream accepts.
 * Each step is idempotent by the act's entry id, so a crash between two is finished by
 * `SettlementRecovery` from the log alone, and a retry repeats nothing.
 */
export interface Act<S> {
  readonly hold?: Step<unknown>;
  readonly apply: Step<S>;
  /**
   * The event on `apply`'s stream that records this act. It tells, when a hold was made now and
   * the rider already has the act, a second hold (made after the act was recorded: it goes back)
   * from the hold the act stands on (a racing retry found it and applied first: it stays).
   * Without it such a hold stays.
   */
  readonly recordedBy?: (event: LedgerEvent) => boolean;
  /**
   * Where the act's hold is in the log when it was made before this run (recovery finishing an
   * act from its hold): judged as a hold made now.
   */
  readonly heldAt?: number;
  readonly undo?: (refusal: DomainError) => Step<unknown>;
  readonly follow?: (applied: Written<S>) => Step<unknown>;
}

/** Runs an act: the applied step's outcome, or the first refusal. */
export async function settle<S>(
  writer: StreamWriter,
  request: LedgerRequest,
  act: Act<S>,
): Promise<Written<S> | DomainError> {
  const held = act.hold && (await act.hold.run(writer, request));
  if (isDomainError(held)) return held;
  const applied = await act.apply.run(writer, request);
  const heldAt = held ? (held.appended > 0 ? held.position : undefined) : act.heldAt;
  const repeated =
    !isDomainError(applied) && (await secondHold(writer, act, heldAt, applied))
      ? new Refusal(
          'ALREADY_EXISTS',
          say`the rider already holds this act; the second hold goes back`,
        )
      : undefined;
  const refusal = isDomainError(applied) ? applied : repeated;
  if (refusal && act.undo) {
    const released = await act.undo(refusal).run(writer, request);
    if (isDomainError(released) && released.code !== 'NOT_FOUND') return released;
  }
  if (isDomainError(applied)) return applied;
  if (act.follow) {
    const followed = await act.follow(applied).run(writer, request);
    if (isDomainError(followed)) return followed;
  }
  return applied;
}

/**
 * Whether the act's hold (at `heldAt`, made by this run or one before) is a second one for an act
 * the rider already had: the act was recorded before the hold was made (a retry that stalled
 * until its first hold's fund book was closed and that hold no longer carried: older than a day
 * and settled). When a racing retry found the hold and applied the act first, the act was
 * recorded after the hold, which it stands on: not a second hold.
 */
async function secondHold<S>(
  writer: StreamWriter,
  act: Act<S>,
  heldAt: number | undefined,
  applied: Written<S>,
): Promise<boolean> {
  if (heldAt === undefined || applied.appended > 0 || !act.recordedBy) return false;
  const recordedAt = await writer.positionOf(act.apply.stream, act.recordedBy);
  return recordedAt !== undefined && recordedAt < heldAt;
}
