import {
  isDomainError,
  riderDecider,
  riderStream,
  stationDecider,
  stationStream,
  type DomainError,
  type StationCommand,
} from '@ledger/domain';
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { LedgerCommand } from './ledger-command';
import {
  settleRedemption,
  type RedemptionDebit,
  type RedemptionResult,
} from '../settlement/redemption';
import { entryIdFor } from '../write/ledger-request';
import { StreamWriter } from '../write/stream-writer';

export type { RedemptionResult } from '../settlement/redemption';

export interface RedemptionInput {
  readonly riderId: string;
  readonly stationId: string;
  readonly items: readonly { sku: string; quantity: number }[];
}

export class MakeRedemptionCommand extends LedgerCommand<
  RedemptionInput,
  RedemptionResult | DomainError
> {}

/**
 * A redemption: the items priced and the stock and balance checked first (a refusal writes
 * nothing), then settled across the station and the rider (settlement/redemption.ts).
 */
@CommandHandler(MakeRedemptionCommand)
export class MakeRedemptionHandler implements ICommandHandler<MakeRedemptionCommand> {
  constructor(private readonly writer: StreamWriter) {}

  async execute({ input, request }: MakeRedemptionCommand) {
    const redemptionId = entryIdFor(request, 'redemption');
    const reserve: Extract<StationCommand, { type: 'ReserveStock' }> = {
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
    const debit: RedemptionDebit = {
      type: 'MakeRedemption',
      redemptionId,
      riderId: input.riderId,
      stationId: input.stationId,
      items: reservation.items,
      points: reservation.points,
    };
    const { decision } = await this.writer.dryRun(
      riderDecider,
      riderStream(input.riderId),
      debit,
      request.context,
    );
    if (isDomainError(decision)) return decision;
    // Nothing new at the station: the stock is already held for this redemption (a retry).
    return settleRedemption(this.writer, debit, request, priced.length > 0 ? reserve : undefined);
  }
}
