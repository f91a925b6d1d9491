import { notFound, type DomainError } from '@ledger/domain';
import { Inject } from '@nestjs/common';
import { Command, CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { ENTRY_LOCATOR } from '../infrastructure/tokens';
import { settleReversal, type ReversalResult } from '../settlement/reversal';
import { entryIdFor, type LedgerRequest } from '../write/ledger-request';
import { StreamWriter } from '../write/stream-writer';
import type { EntryLocator } from './entry-locator';

export type { ReversalResult } from '../settlement/reversal';

export interface ReversalInput {
  /** The award to reverse. */
  readonly entryId: string;
  readonly reason: string;
  /** The award's rider, when the caller knows it; else it is found from the ledger lines. */
  readonly riderId?: string;
}

export class ReverseAwardCommand extends Command<ReversalResult | DomainError> {
  constructor(
    readonly input: ReversalInput,
    readonly request: LedgerRequest,
  ) {
    super();
  }
}

/** Takes an award's points back from its rider and returns them to its fund (settlement/reversal.ts). */
@CommandHandler(ReverseAwardCommand)
export class ReverseAwardHandler implements ICommandHandler<ReverseAwardCommand> {
  constructor(
    private readonly writer: StreamWriter,
    @Inject(ENTRY_LOCATOR) private readonly entries: EntryLocator,
  ) {}

  async execute({ input, request }: ReverseAwardCommand): Promise<ReversalResult | DomainError> {
    const riderId = input.riderId ?? (await this.entries.find(input.entryId, 'award'))?.riderId;
    if (riderId === undefined) return notFound(`award ${input.entryId}`);
    const command = {
      type: 'ReverseAward' as const,
      entryId: entryIdFor(request, `reversal:${input.entryId}`),
      riderId,
      reversalOf: input.entryId,
      reason: input.reason,
    };
    return settleReversal(this.writer, command, request);
  }
}
