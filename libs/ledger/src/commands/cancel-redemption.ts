import {
  isDomainError,
  riderDecider,
  riderStream,
  stationDecider,
  stationStream,
  type DomainError,
} from '@ledger/domain';
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import type { LedgerRequest } from '../write/ledger-request';
import { StreamWriter } from '../write/stream-writer';

export interface CancellationInput {
  readonly riderId: string;
  readonly redemptionId: string;
  readonly reason: string;
}

export interface CancellationResult {
  readonly redemptionId: string;
  readonly stationId: string;
  readonly points: number;
  readonly balanceAfter: number;
  readonly position: number;
}

export class CancelRedemptionCommand {
  constructor(
    readonly input: CancellationInput,
    readonly request: LedgerRequest,
  ) {}
}

/** Points back to the rider first (ALREADY_CANCELLED), then the stock back to the station. */
@CommandHandler(CancelRedemptionCommand)
export class CancelRedemptionHandler implements ICommandHandler<
  CancelRedemptionCommand,
  CancellationResult | DomainError
> {
  constructor(private readonly writer: StreamWriter) {}

  async execute({
    input,
    request,
  }: CancelRedemptionCommand): Promise<CancellationResult | DomainError> {
    const cancel = { type: 'CancelRedemption' as const, ...input };
    const refunded = await this.writer.execute(
      riderDecider,
      riderStream(input.riderId),
      cancel,
      request,
    );
    if (isDomainError(refunded)) return refunded;
    const redemption = refunded.state.redemptions.get(input.redemptionId);
    if (!redemption?.cancellation || refunded.position === undefined)
      throw new Error(`cancellation of ${input.redemptionId} missing`);
    const returned = await this.writer.execute(
      stationDecider,
      stationStream(redemption.stationId),
      { type: 'ReturnStock', stationId: redemption.stationId, redemptionId: input.redemptionId },
      request,
    );
    if (isDomainError(returned)) return returned;
    return {
      redemptionId: input.redemptionId,
      stationId: redemption.stationId,
      points: redemption.points,
      balanceAfter: redemption.cancellation.balanceAfter,
      position: refunded.position,
    };
  }
}
