import {
  isDomainError,
  stationDecider,
  stationStream,
  type DomainError,
  type RiderCommand,
} from '@ledger/domain';
import type { LedgerRequest } from '../write/ledger-request';
import type { StreamWriter } from '../write/stream-writer';
import { onFund, riderFirst, step, type Moved } from './settle';

/*
 * The two acts that undo an earlier one: a reversal takes an award back, a cancellation gives a
 * redemption back. Both start on the rider (the binding checks are there), and the fund or the
 * station follows, which always accepts.
 */

export type ReversalResult = Moved<{ entryId: string; reversalOf: string }>;

/**
 * A reversal takes the points back from the rider (the binding check: ALREADY_REVERSED,
 * INSUFFICIENT_BALANCE), then returns them to the award's fund, which always accepts.
 */
export async function settleReversal(
  writer: StreamWriter,
  command: Extract<RiderCommand, { type: 'ReverseAward' }>,
  request: LedgerRequest,
): Promise<ReversalResult | DomainError> {
  const { entryId, reversalOf } = command;
  const taken = await riderFirst(writer, request, {
    command,
    record: (state) => {
      const award = state.awards.get(reversalOf);
      const reversal = state.reversals.get(entryId);
      return award && reversal && { ...reversal, fundId: award.fundId };
    },
    follow: ({ fundId, points }) => returnToFund({ fundId, entryId, reversalOf, points }),
    what: `reversal ${entryId}`,
  });
  if (isDomainError(taken)) return taken;
  const { points, balanceAfter, position } = taken;
  return { entryId, reversalOf, points, balanceAfter, position };
}

/** The fund's half of a reversal: the points go back to the award's fund (once). */
export function returnToFund(open: {
  fundId: string;
  entryId: string;
  reversalOf: string;
  points: number;
}) {
  return onFund({ type: 'ReturnFundPoints', ...open });
}

export type CancellationResult = Moved<{ redemptionId: string; stationId: string }>;

/** Points back to the rider first (ALREADY_CANCELLED), then the stock back to the station. */
export async function settleCancellation(
  writer: StreamWriter,
  command: Extract<RiderCommand, { type: 'CancelRedemption' }>,
  request: LedgerRequest,
): Promise<CancellationResult | DomainError> {
  const { redemptionId } = command;
  const refunded = await riderFirst(writer, request, {
    command,
    record: (state) => {
      const redemption = state.redemptions.get(redemptionId);
      return redemption?.cancellation && { ...redemption, ...redemption.cancellation };
    },
    follow: ({ stationId }) => returnStock(stationId, redemptionId),
    what: `cancellation of ${redemptionId}`,
  });
  if (isDomainError(refunded)) return refunded;
  const { stationId, points, balanceAfter, position } = refunded;
  return { redemptionId, stationId, points, balanceAfter, position };
}

/** The station's half of a cancellation: the items go back on its stock (once). */
export function returnStock(stationId: string, redemptionId: string) {
  return step(stationDecider, stationStream(stationId), {
    type: 'ReturnStock',
    stationId,
    redemptionId,
  });
}
