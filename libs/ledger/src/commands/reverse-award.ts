import {
  fundDecider,
  fundStream,
  isDomainError,
  riderDecider,
  riderStream,
  type DomainError,
} from '@ledger/domain';
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { entryIdFor, type LedgerRequest } from '../write/ledger-request';
import { StreamWriter } from '../write/stream-writer';

export interface ReversalInput {
  readonly riderId: string;
  /** The award to reverse. */
  readonly entryId: string;
  readonly reason: string;
}

export interface ReversalResult {
  readonly entryId: string;
  readonly reversalOf: string;
  readonly points: number;
  readonly balanceAfter: number;
  readonly position: number;
}

export class ReverseAwardCommand {
  constructor(
    readonly input: ReversalInput,
    readonly request: LedgerRequest,
  ) {}
}

/**
 * A reversal takes the points back from the rider (the binding check: ALREADY_REVERSED,
 * INSUFFICIENT_BALANCE), then returns them to the fund, which always accepts. A crash between
 * the two is finished by `SettlementRecovery`.
 */
@CommandHandler(ReverseAwardCommand)
export class ReverseAwardHandler implements ICommandHandler<
  ReverseAwardCommand,
  ReversalResult | DomainError
> {
  constructor(private readonly writer: StreamWriter) {}

  async execute({ input, request }: ReverseAwardCommand): Promise<ReversalResult | DomainError> {
    const entryId = entryIdFor(request, `reversal:${input.entryId}`);
    const command = {
      type: 'ReverseAward' as const,
      entryId,
      riderId: input.riderId,
      reversalOf: input.entryId,
      reason: input.reason,
    };
    const taken = await this.writer.execute(
      riderDecider,
      riderStream(input.riderId),
      command,
      request,
    );
    if (isDomainError(taken)) return taken;
    const reversal = taken.state.reversals.get(entryId);
    const award = taken.state.awards.get(input.entryId);
    if (!reversal || !award || taken.position === undefined)
      throw new Error(`reversal ${entryId} missing after append`);
    const returned = await this.writer.execute(
      fundDecider,
      fundStream(award.fundId),
      {
        type: 'ReturnFundPoints',
        fundId: award.fundId,
        entryId,
        reversalOf: award.entryId,
        points: reversal.points,
      },
      request,
    );
    if (isDomainError(returned)) return returned;
    return {
      entryId,
      reversalOf: award.entryId,
      points: reversal.points,
      balanceAfter: reversal.balanceAfter,
      position: taken.position,
    };
  }
}
