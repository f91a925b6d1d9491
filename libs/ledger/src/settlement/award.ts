import {
  fundDecider,
  fundStream,
  isDomainError,
  riderDecider,
  riderStream,
  type Activity,
  type AwardPoints,
  type DomainError,
  type FundCommand,
} from '@ledger/domain';
import type { LedgerRequest } from '../write/ledger-request';
import type { StreamWriter } from '../write/stream-writer';
import { settle, step, type Act } from './settle';

export interface AwardResult {
  readonly entryId: string;
  readonly riderId: string;
  readonly activity: Activity;
  readonly points: number;
  readonly balanceAfter: number;
  readonly ruleVersion: number;
  readonly position: number;
}

/**
 * An award moves points out of a fund and into a rider: reserve on the fund (FUND_EXHAUSTED stops
 * it there), credit the rider, and release the reservation if the rider refuses (a race on its
 * daily cap). `reserve: false` when the reservation is already there (recovery finishing it).
 */
export async function settleAward(
  writer: StreamWriter,
  command: AwardPoints,
  request: LedgerRequest,
  options: { reserve: boolean },
): Promise<AwardResult | DomainError> {
  const { hold, ...rest } = awardAct(command);
  const credited = await settle(writer, request, options.reserve ? { hold, ...rest } : rest);
  if (isDomainError(credited)) return credited;
  const award = credited.state.awards.get(command.entryId);
  if (!award || credited.position === undefined)
    throw new Error(`award ${command.entryId} missing after credit`);
  return {
    entryId: award.entryId,
    riderId: command.riderId,
    activity: award.activity,
    points: award.points,
    balanceAfter: award.balanceAfter,
    ruleVersion: award.ruleVersion,
    position: credited.position,
  };
}

function awardAct(command: AwardPoints): Act<ReturnType<typeof riderDecider.initialState>> {
  const fund = fundStream(command.fundId);
  return {
    hold: step(fundDecider, fund, reserveCommand(command)),
    apply: step(riderDecider, riderStream(command.riderId), command),
    undo: (refusal) =>
      step(fundDecider, fund, {
        type: 'ReleaseReservation',
        fundId: command.fundId,
        entryId: command.entryId,
        code: refusal.code,
        reason: refusal.detail,
      }),
  };
}

/** The fund's half of an award: the points, and the rider's half for recovery to finish. */
function reserveCommand(command: AwardPoints): FundCommand {
  const { type: _type, entryId, riderId, points, fundId, badges: _badges, ...award } = command;
  return { type: 'ReserveFundPoints', fundId, entryId, riderId, points, award };
}
