import { notFound, type DomainError } from '@ledger/domain';
import { Inject } from '@nestjs/common';
import { Command, CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { ENTRY_LOCATOR } from '../infrastructure/tokens';
import { settleCancellation, type CancellationResult } from '../settlement/cancellation';
import type { LedgerRequest } from '../write/ledger-request';
import { StreamWriter } from '../write/stream-writer';
import type { EntryLocator } from './entry-locator';

export type { CancellationResult } from '../settlement/cancellation';

export interface CancellationInput {
  readonly redemptionId: string;
  readonly reason: string;
  /** The redemption's rider, when the caller knows it; else it is found from the ledger lines. */
  readonly riderId?: string;
}

export class CancelRedemptionCommand extends Command<CancellationResult | DomainError> {
  constructor(
    readonly input: CancellationInput,
    readonly request: LedgerRequest,
  ) {
    super();
  }
}

/** Points back to the rider, stock back to the station (settlement/cancellation.ts). */
@CommandHandler(CancelRedemptionCommand)
export class CancelRedemptionHandler implements ICommandHandler<CancelRedemptionCommand> {
  constructor(
    private readonly writer: StreamWriter,
    @Inject(ENTRY_LOCATOR) private readonly entries: EntryLocator,
  ) {}

  async execute({
    input,
    request,
  }: CancelRedemptionCommand): Promise<CancellationResult | DomainError> {
    const { redemptionId, reason } = input;
    const riderId = input.riderId ?? (await this.entries.find(redemptionId, 'redemption'))?.riderId;
    if (riderId === undefined) return notFound(`redemption ${redemptionId}`);
    const command = { type: 'CancelRedemption' as const, redemptionId, riderId, reason };
    return settleCancellation(this.writer, command, request);
  }
}
