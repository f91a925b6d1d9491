import {
  isDomainError,
  riderDecider,
  riderStream,
  stationDecider,
  stationStream,
  type DomainError,
  type RiderCommand,
  type StationCommand,
} from '@ledger/domain';
import type { LedgerRequest } from '../write/ledger-request';
import type { StreamWriter } from '../write/stream-writer';
import { settle, step } from './settle';

export interface RedemptionResult {
  readonly redemptionId: string;
  readonly riderId: string;
  readonly stationId: string;
  readonly points: number;
  readonly balanceAfter: number;
  readonly position: number;
}

export type RedemptionDebit = Extract<RiderCommand, { type: 'MakeRedemption' }>;

/**
 * A redemption takes stock from a station and points from a rider: reserve the stock
 * (OUT_OF_STOCK stops it there), debit the rider, and release the stock if the rider refuses (a
 * race on the balance). `reserve` is left out when the stock is already held.
 */
export async function settleRedemption(
  writer: StreamWriter,
  debit: RedemptionDebit,
  request: LedgerRequest,
  reserve?: Extract<StationCommand, { type: 'ReserveStock' }>,
): Promise<RedemptionResult | DomainError> {
  const station = stationStream(debit.stationId);
  const debited = await settle(writer, request, {
    ...(reserve && { hold: step(stationDecider, station, reserve) }),
    apply: step(riderDecider, riderStream(debit.riderId), debit),
    undo: (refusal) =>
      step(stationDecider, station, {
        type: 'ReleaseStock',
        stationId: debit.stationId,
        redemptionId: debit.redemptionId,
        code: refusal.code,
        reason: refusal.detail,
      }),
  });
  if (isDomainError(debited)) return debited;
  const made = debited.state.redemptions.get(debit.redemptionId);
  if (!made || debited.position === undefined)
    throw new Error(`redemption ${debit.redemptionId} missing after debit`);
  return {
    redemptionId: made.redemptionId,
    riderId: debit.riderId,
    stationId: made.stationId,
    points: made.points,
    balanceAfter: made.balanceAfter,
    position: debited.position,
  };
}
