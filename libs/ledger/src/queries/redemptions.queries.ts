import {
  dayKey,
  DomainError,
  mayReadReceipt,
  notFound,
  stationServes,
  type Actor,
  say,
} from '@ledger/domain';
import {
  receiptOf,
  stationDay,
  stationOf,
  type Page,
  type ReadModels,
  type ReceiptView,
} from '@ledger/projections';
import { Inject } from '@nestjs/common';
import { QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import type { LedgerConfig } from '../config/ledger-config';
import { LEDGER_CONFIG, READ_MODELS } from '../infrastructure/tokens';
import { after, type ListPaging } from './lists.queries';
import { caughtUp, ScopedQuery } from './read-query';

/** A redemption as a receipt: for the station that served it and for its rider. */
export class GetReceiptQuery extends ScopedQuery<ReceiptView | DomainError> {
  constructor(
    actor: Actor,
    readonly redemptionId: string,
    minPosition?: number,
  ) {
    super(actor, minPosition);
  }
}

/** What a station handed out on one day (default: today), in the order it served. */
export class StationDayQuery extends ScopedQuery<Page<ReceiptView> | DomainError> {
  constructor(
    actor: Actor,
    readonly stationId: string,
    readonly day: string | undefined,
    readonly paging: ListPaging,
    minPosition?: number,
  ) {
    super(actor, minPosition);
  }
}

@QueryHandler(GetReceiptQuery)
export class GetReceiptHandler implements IQueryHandler<GetReceiptQuery> {
  constructor(@Inject(READ_MODELS) private readonly models: ReadModels) {}

  async execute(query: GetReceiptQuery) {
    await caughtUp(this.models, query, ['redemptions']);
    const receipt = await receiptOf(this.models, query.redemptionId);
    if (!receipt) return notFound(say`redemption ${query.redemptionId}`);
    return mayReadReceipt(query.actor, receipt) ?? receipt;
  }
}

@QueryHandler(StationDayQuery)
export class StationDayHandler implements IQueryHandler<StationDayQuery> {
  constructor(
    @Inject(READ_MODELS) private readonly models: ReadModels,
    @Inject(LEDGER_CONFIG) private readonly config: LedgerConfig,
  ) {}

  async execute(query: StationDayQuery) {
    const refused = stationServes(query.actor, query.stationId);
    if (refused) return refused;
    const key = after(query.paging, 1);
    if (key instanceof DomainError) return key;
    await caughtUp(this.models, query, ['redemptions', 'stations']);
    if (!(await stationOf(this.models, query.stationId)))
      return notFound(say`station ${query.stationId}`);
    const day = query.day ?? dayKey(new Date(), this.config.timeZone);
    const { limit } = query.paging;
    return stationDay(this.models, { stationId: query.stationId, day, limit, after: key });
  }
}

export const REDEMPTION_QUERY_HANDLERS = [GetReceiptHandler, StationDayHandler];
