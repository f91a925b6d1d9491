import {
  isDomainError,
  type Activity,
  type AwardPoints,
  type DomainError,
  type FundCommand,
} from '@ledger/domain';
import type { LedgerRequest } from '../write/ledger-request';
import type { StreamWriter } from '../write/stream-writer';
import { onFund, onRider, recorded, settle, type Moved } from './settle';

export type AwardResult = Moved<{
  entryId: string;
  riderId: string;
  activity: Activity;
  ruleVersion: number;
}>;

/**
 * An award moves points out of a fund and into a rider: reserve on the fund (FUND_EXHAUSTED stops
 * it there), credit the rider, and release the reservation if the rider refuses (a race on its
 * daily cap). `reserve: false` when the reservation is already there (recovery finishing it),
 * `heldAt` its log position when known.
 */
export async function settleAward(
  writer: StreamWriter,
  command: AwardPoints,
  request: LedgerRequest,
  options: { reserve: boolean; heldAt?: number },
): Promise<AwardResult | DomainError> {
  const credited = await settle(writer, request, {
    ...(options.reserve && { hold: onFund(reserveCommand(command)) }),
    ...(options.heldAt !== undefined && { heldAt: options.heldAt }),
    apply: onRider(command),
    recordedBy: (event) => event.type === 'PointsAwarded' && event.data.entryId === command.entryId,
    undo: ({ code, detail }) =>
      onFund({
        type: 'ReleaseReservation',
        fundId: command.fundId,
        entryId: command.entryId,
        code,
        reason: detail,
      }),
  });
  if (isDomainError(credited)) return credited;
  const { entryId, activity, points, balanceAfter, ruleVersion, position } = recorded(
    credited,
    (state) => state.awards.get(command.entryId),
    `award ${command.entryId}`,
  );
  return {
    entryId,
    riderId: command.riderId,
    activity,
    points,
    balanceAfter,
    ruleVersion,
    position,
  };
}

/** The fund's half of an award: the points, and the rider's half for recovery to finish. */
export function reserveCommand(command: AwardPoints): FundCommand {
  const { type: _type, entryId, riderId, points, fundId, badges: _badges, ...award } = command;
  return { type: 'ReserveFundPoints', fundId, entryId, riderId, points, award };
}
