import { Inject } from '@nestjs/common';
import { Command, CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import type { ReadModels } from '@ledger/projections';
import type { LedgerConfig } from '../config/ledger-config';
import { LEDGER_CONFIG, READ_MODELS } from '../infrastructure/tokens';
import { FundBooks, type BooksClosed } from '../settlement/fund-books';
import { SettlementRecovery } from '../settlement/recovery';
import type { LedgerRequest } from '../write/ledger-request';
import { StreamWriter } from '../write/stream-writer';

export class CloseFundBooksCommand extends Command<BooksClosed> {
  constructor(readonly request: LedgerRequest) {
    super();
  }
}

/**
 * Closes every fund's book opened before the current hour into one for this hour
 * (docs/protocols.md, "Fund books"). The funds come from the read model (a fund created a moment
 * ago is closed at the next run); which reservations are finished comes from settlement
 * recovery's reading of the log.
 */
@CommandHandler(CloseFundBooksCommand)
export class CloseFundBooksHandler implements ICommandHandler<CloseFundBooksCommand> {
  constructor(
    private readonly writer: StreamWriter,
    private readonly recovery: SettlementRecovery,
    @Inject(READ_MODELS) private readonly readModels: ReadModels,
    @Inject(LEDGER_CONFIG) private readonly config: LedgerConfig,
  ) {}

  async execute({ request }: CloseFundBooksCommand): Promise<BooksClosed> {
    const { rows } = await this.readModels.query<{ fund_id: string }>(
      `select fund_id from ${this.readModels.schema}.funds order by fund_id`,
    );
    return FundBooks.of(this.writer).closeBefore(
      rows.map((row) => row.fund_id),
      request,
      (held) => this.recovery.settledAmong(held, request.context.now, this.config.recoveryGraceMs),
    );
  }
}
