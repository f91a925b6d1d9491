import {
  isDomainError,
  stationDecider,
  stationStream,
  type DomainError,
  type RiderCommand,
  type StationCommand,
} from '@ledger/domain';
import type { LedgerRequest } from '../write/ledger-request';
import type { StreamWriter } from '../write/stream-writer';
import { onRider, recorded, settle, step, type Moved } from './settle';

export type RedemptionResult = Moved<{ redemptionId: string; riderId: string; stationId: string }>;

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
  const { redemptionId, stationId } = debit;
  const debited = await settle(writer, request, {
    ...(reserve && { hold: step(stationDecider, station, reserve) }),
    apply: onRider(debit),
    recordedBy: (event) =>
      event.type === 'RedemptionMade' && event.data.redemptionId === redemptionId,
    undo: ({ code, detail }) =>
      step(stationDecider, station, {
        type: 'ReleaseStock',
        stationId,
        redemptionId,
        code,
        reason: detail,
      }),
  });
  if (isDomainError(debited)) return debited;
  const made = recorded(
    debited,
    (s) => s.redemptions.get(redemptionId),
    `redemption ${redemptionId}`,
  );
  const { points, balanceAfter, position } = made;
  return {
    redemptionId,
    riderId: debit.riderId,
    stationId: made.stationId,
    points,
    balanceAfter,
    position,
  };
}
