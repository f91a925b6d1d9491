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
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { entryIdFor, type LedgerRequest } from '../write/ledger-request';
import { StreamWriter } from '../write/stream-writer';

export interface RedemptionInput {
  readonly riderId: string;
  readonly stationId: string;
  readonly items: readonly { sku: string; quantity: number }[];
}

export interface RedemptionResult {
  readonly redemptionId: string;
  readonly riderId: string;
  readonly stationId: string;
  readonly points: number;
  readonly balanceAfter: number;
  readonly position: number;
}

export class MakeRedemptionCommand {
  constructor(
    readonly input: RedemptionInput,
    readonly request: LedgerRequest,
  ) {}
}

/**
 * A redemption takes stock from a station and points from a rider, two streams:
 *   1. price the items and check stock and balance first: a refusal writes nothing;
 *   2. reserve the stock on the station stream (OUT_OF_STOCK stops here);
 *   3. debit the rider; if the rider refuses now (a race on the balance), release the stock.
 * A crash between 2 and 3 is finished by `SettlementRecovery`.
 */
@CommandHandler(MakeRedemptionCommand)
export class MakeRedemptionHandler implements ICommandHandler<
  MakeRedemptionCommand,
  RedemptionResult | DomainError
> {
  constructor(private readonly writer: StreamWriter) {}

  async execute({
    input,
    request,
  }: MakeRedemptionCommand): Promise<RedemptionResult | DomainError> {
    const redemptionId = entryIdFor(request, 'redemption');
    const reserve: StationCommand = {
      type: 'ReserveStock',
      stationId: input.stationId,
      redemptionId,
      riderId: input.riderId,
      items: input.items,
    };
    const station = await this.writer.dryRun(
      stationDecider,
      stationStream(input.stationId),
      reserve,
      request.context,
    );
    const priced = station.decision;
    if (isDomainError(priced)) return priced;
    const reservation =
      priced[0]?.type === 'StockReserved'
        ? priced[0].data
        : station.state.reservations.get(redemptionId);
    if (!reservation) throw new Error(`reservation ${redemptionId} neither new nor stored`);
    const debit = {
      type: 'MakeRedemption' as const,
      redemptionId,
      riderId: input.riderId,
      stationId: input.stationId,
      items: reservation.items,
      points: reservation.points,
    };
    const { decision: precheck } = await this.writer.dryRun(
      riderDecider,
      riderStream(input.riderId),
      debit,
      request.context,
    );
    if (isDomainError(precheck)) return precheck;
    if (priced.length > 0) {
      const reserved = await this.writer.execute(
        stationDecider,
        stationStream(input.stationId),
        reserve,
        request,
      );
      if (isDomainError(reserved)) return reserved;
    }
    return completeRedemption(this.writer, debit, request);
  }
}

/** Debits the rider for reserved stock, or releases the stock if the rider refuses. */
export async function completeRedemption(
  writer: StreamWriter,
  debit: Extract<RiderCommand, { type: 'MakeRedemption' }>,
  request: LedgerRequest,
): Promise<RedemptionResult | DomainError> {
  const debited = await writer.execute(riderDecider, riderStream(debit.riderId), debit, request);
  if (isDomainError(debited)) {
    const release: StationCommand = {
      type: 'ReleaseStock',
      stationId: debit.stationId,
      redemptionId: debit.redemptionId,
      code: debited.code,
      reason: debited.detail,
    };
    const released = await writer.execute(
      stationDecider,
      stationStream(debit.stationId),
      release,
      request,
    );
    if (isDomainError(released) && released.code !== 'NOT_FOUND') return released;
    return debited;
  }
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
