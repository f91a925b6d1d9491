import {
  fundDecider,
  fundStream,
  isDomainError,
  riderDecider,
  riderStream,
  type DomainError,
  type RiderCommand,
} from '@ledger/domain';
import type { LedgerRequest } from '../write/ledger-request';
import type { StreamWriter } from '../write/stream-writer';
import { settle, step } from './settle';

export interface ReversalResult {
  readonly entryId: string;
  readonly reversalOf: string;
  readonly points: number;
  readonly balanceAfter: number;
  readonly position: number;
}

/**
 * A reversal takes the points back from the rider (the binding check: ALREADY_REVERSED,
 * INSUFFICIENT_BALANCE), then returns them to the award's fund, which always accepts.
 */
export async function settleReversal(
  writer: StreamWriter,
  command: Extract<RiderCommand, { type: 'ReverseAward' }>,
  request: LedgerRequest,
): Promise<ReversalResult | DomainError> {
  const taken = await settle(writer, request, {
    apply: step(riderDecider, riderStream(command.riderId), command),
    follow: ({ state }) => {
      const reversal = state.reversals.get(command.entryId);
      const award = state.awards.get(command.reversalOf);
      if (!reversal || !award) throw new Error(`reversal ${command.entryId} missing after append`);
      return returnToFund({
        fundId: award.fundId,
        entryId: command.entryId,
        reversalOf: award.entryId,
        points: reversal.points,
      });
    },
  });
  if (isDomainError(taken)) return taken;
  const reversal = taken.state.reversals.get(command.entryId);
  if (!reversal || taken.position === undefined)
    throw new Error(`reversal ${command.entryId} missing after append`);
  return {
    entryId: command.entryId,
    reversalOf: command.reversalOf,
    points: reversal.points,
    balanceAfter: reversal.balanceAfter,
    position: taken.position,
  };
}

/** The fund's half of a reversal: the points go back to the award's fund (once). */
export function returnToFund(open: {
  fundId: string;
  entryId: string;
  reversalOf: string;
  points: number;
}) {
  return step(fundDecider, fundStream(open.fundId), { type: 'ReturnFundPoints', ...open });
}
