import { notFound, type DomainError, say } from '@ledger/domain';
import { Inject } from '@nestjs/common';
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { ENTRY_LOCATOR } from '../infrastructure/tokens';
import {
  settleCancellation,
  settleReversal,
  type CancellationResult,
  type ReversalResult,
} from '../settlement/corrections';
import { entryIdFor } from '../write/ledger-request';
import { StreamWriter } from '../write/stream-writer';
import type { EntryLocator } from './entry-locator';
import { LedgerCommand } from './ledger-command';

export type { CancellationResult, ReversalResult } from '../settlement/corrections';

/** A correction names the entry it undoes; the rider comes along when the caller knows it. */
interface Correction {
  readonly reason: string;
  /** The entry's rider, when the caller knows it; else it is found from the ledger lines. */
  readonly riderId?: string;
}

export type ReversalInput = Correction & { readonly entryId: string };
export type CancellationInput = Correction & { readonly redemptionId: string };

/** Takes an award's points back from its rider and returns them to its fund. */
export class ReverseAwardCommand extends LedgerCommand<
  ReversalInput,
  ReversalResult | DomainError
> {}

/** Gives a redemption's points back to the rider and its items back to the station. */
export class CancelRedemptionCommand extends LedgerCommand<
  CancellationInput,
  CancellationResult | DomainError
> {}

/** The rider of the entry a correction undoes: given, or found; NOT_FOUND for no such entry. */
async function riderOf(
  entries: EntryLocator,
  input: Correction,
  entryId: string,
  type: 'award' | 'redemption',
): Promise<string | DomainError> {
  const riderId = input.riderId ?? (await entries.find(entryId, type))?.riderId;
  return riderId ?? notFound(type === 'award' ? say`award ${entryId}` : say`redemption ${entryId}`);
}

@CommandHandler(ReverseAwardCommand)
export class ReverseAwardHandler implements ICommandHandler<ReverseAwardCommand> {
  constructor(
    private readonly writer: StreamWriter,
    @Inject(ENTRY_LOCATOR) private readonly entries: EntryLocator,
  ) {}

  async execute({ input, request }: ReverseAwardCommand) {
    const riderId = await riderOf(this.entries, input, input.entryId, 'award');
    if (typeof riderId !== 'string') return riderId;
    const entryId = entryIdFor(request, `reversal:${input.entryId}`);
    const { reason, entryId: reversalOf } = input;
    return settleReversal(
      this.writer,
      { type: 'ReverseAward', entryId, riderId, reversalOf, reason },
      request,
    );
  }
}

@CommandHandler(CancelRedemptionCommand)
export class CancelRedemptionHandler implements ICommandHandler<CancelRedemptionCommand> {
  constructor(
    private readonly writer: StreamWriter,
    @Inject(ENTRY_LOCATOR) private readonly entries: EntryLocator,
  ) {}

  async execute({ input, request }: CancelRedemptionCommand) {
    const { redemptionId, reason } = input;
    const riderId = await riderOf(this.entries, input, redemptionId, 'redemption');
    if (typeof riderId !== 'string') return riderId;
    const command = { type: 'CancelRedemption' as const, redemptionId, riderId, reason };
    return settleCancellation(this.writer, command, request);
  }
}
