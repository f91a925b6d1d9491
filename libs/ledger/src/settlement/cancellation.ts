import {
  isDomainError,
  riderDecider,
  riderStream,
  stationDecider,
  stationStream,
  type DomainError,
  type RiderCommand,
} from '@ledger/domain';
import type { LedgerRequest } from '../write/ledger-request';
import type { StreamWriter } from '../write/stream-writer';
import { settle, step } from './settle';

export interface CancellationResult {
  readonly redemptionId: string;
  readonly stationId: string;
  readonly points: number;
  readonly balanceAfter: number;
  readonly position: number;
}

/** Points back to the rider first (ALREADY_CANCELLED), then the stock back to the station. */
export async function settleCancellation(
  writer: StreamWriter,
  command: Extract<RiderCommand, { type: 'CancelRedemption' }>,
  request: LedgerRequest,
): Promise<CancellationResult | DomainError> {
  const refunded = await settle(writer, request, {
    apply: step(riderDecider, riderStream(command.riderId), command),
    follow: ({ state }) => {
      const redemption = state.redemptions.get(command.redemptionId);
      if (!redemption) throw new Error(`cancellation of ${command.redemptionId} missing`);
      return returnStock(redemption.stationId, command.redemptionId);
    },
  });
  if (isDomainError(refunded)) return refunded;
  const redemption = refunded.state.redemptions.get(command.redemptionId);
  if (!redemption?.cancellation || refunded.position === undefined)
    throw new Error(`cancellation of ${command.redemptionId} missing`);
  return {
    redemptionId: command.redemptionId,
    stationId: redemption.stationId,
    points: redemption.points,
    balanceAfter: redemption.cancellation.balanceAfter,
    position: refunded.position,
  };
}

/** The station's half of a cancellation: the items go back on its stock (once). */
export function returnStock(stationId: string, redemptionId: string) {
  return step(stationDecider, stationStream(stationId), {
    type: 'ReturnStock',
    stationId,
    redemptionId,
  });
}
