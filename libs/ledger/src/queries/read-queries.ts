import { QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import { Inject } from '@nestjs/common';
import { ReadModels, ReadQueries, type ProjectionName } from '@ledger/projections';
import { READ_MODELS } from '../infrastructure/tokens';

/** Every query may carry the position of a write the client made: the answer then includes it. */
abstract class ReadQuery {
  constructor(readonly minPosition?: number) {}
}

export class GetBalanceQuery extends ReadQuery {
  constructor(
    readonly riderId: string,
    minPosition?: number,
  ) {
    super(minPosition);
  }
}
export class GetLedgerQuery extends ReadQuery {
  constructor(
    readonly riderId: string,
    readonly limit: number,
    readonly cursor?: string,
    minPosition?: number,
  ) {
    super(minPosition);
  }
}
export class GetLeaderboardQuery extends ReadQuery {
  constructor(
    readonly scope: string,
    readonly period: string,
    readonly limit: number,
    readonly cursor?: string,
    minPosition?: number,
  ) {
    super(minPosition);
  }
}
export class GetFundQuery extends ReadQuery {
  constructor(
    readonly fundId: string,
    minPosition?: number,
  ) {
    super(minPosition);
  }
}
export class GetStockQuery extends ReadQuery {
  constructor(
    readonly stationId: string,
    minPosition?: number,
  ) {
    super(minPosition);
  }
}

export class GetSelectionQuery extends ReadQuery {
  constructor(
    readonly selectionId: string,
    minPosition?: number,
  ) {
    super(minPosition);
  }
}

/** The rider, community and station of an award or redemption, for reversals and cancellations. */
export class GetEntryQuery extends ReadQuery {
  constructor(
    readonly entryId: string,
    readonly type: 'award' | 'redemption',
  ) {
    super();
  }
}

/** The read side's queries on the QueryBus: wait for `minPosition` (≤ 5 s), then read. */
abstract class ReadHandler {
  protected readonly queries: ReadQueries;
  constructor(protected readonly models: ReadModels) {
    this.queries = new ReadQueries(models);
  }

  /** Waits for `minPosition` and this process's writes in the projections the query reads. */
  protected async caughtUp(query: ReadQuery, projection: ProjectionName): Promise<void> {
    await this.models.waitForProjections([projection], query.minPosition);
  }
}

@QueryHandler(GetBalanceQuery)
export class GetBalanceHandler extends ReadHandler implements IQueryHandler<GetBalanceQuery> {
  constructor(@Inject(READ_MODELS) models: ReadModels) {
    super(models);
  }
  async execute(query: GetBalanceQuery) {
    await this.caughtUp(query, 'balances');
    return this.queries.balance(query.riderId);
  }
}

@QueryHandler(GetLedgerQuery)
export class GetLedgerHandler extends ReadHandler implements IQueryHandler<GetLedgerQuery> {
  constructor(@Inject(READ_MODELS) models: ReadModels) {
    super(models);
  }
  async execute(query: GetLedgerQuery) {
    await this.caughtUp(query, 'ledger-lines');
    return this.queries.ledger(query.riderId, {
      limit: query.limit,
      ...(query.cursor !== undefined && { cursor: query.cursor }),
    });
  }
}

@QueryHandler(GetLeaderboardQuery)
export class GetLeaderboardHandler
  extends ReadHandler
  implements IQueryHandler<GetLeaderboardQuery>
{
  constructor(@Inject(READ_MODELS) models: ReadModels) {
    super(models);
  }
  async execute(query: GetLeaderboardQuery) {
    await this.caughtUp(query, 'leaderboards');
    return this.queries.leaderboard(query.scope, query.period, {
      limit: query.limit,
      ...(query.cursor !== undefined && { cursor: query.cursor }),
    });
  }
}

@QueryHandler(GetFundQuery)
export class GetFundHandler extends ReadHandler implements IQueryHandler<GetFundQuery> {
  constructor(@Inject(READ_MODELS) models: ReadModels) {
    super(models);
  }
  async execute(query: GetFundQuery) {
    await this.caughtUp(query, 'funds');
    return this.queries.fund(query.fundId);
  }
}

@QueryHandler(GetStockQuery)
export class GetStockHandler extends ReadHandler implements IQueryHandler<GetStockQuery> {
  constructor(@Inject(READ_MODELS) models: ReadModels) {
    super(models);
  }
  async execute(query: GetStockQuery) {
    await this.caughtUp(query, 'stations');
    return this.queries.stock(query.stationId);
  }
}

@QueryHandler(GetSelectionQuery)
export class GetSelectionHandler extends ReadHandler implements IQueryHandler<GetSelectionQuery> {
  constructor(@Inject(READ_MODELS) models: ReadModels) {
    super(models);
  }
  async execute(query: GetSelectionQuery) {
    await this.caughtUp(query, 'selections');
    return this.queries.selection(query.selectionId);
  }
}

/**
 * An entry not in the read model yet may have just been written: wait once for the read model
 * to reach the head of the log, then look again, so a reversal right after its award finds it.
 */
@QueryHandler(GetEntryQuery)
export class GetEntryHandler extends ReadHandler implements IQueryHandler<GetEntryQuery> {
  constructor(@Inject(READ_MODELS) models: ReadModels) {
    super(models);
  }
  async execute(query: GetEntryQuery) {
    const found = await this.queries.entry(query.entryId, query.type);
    if (found) return found;
    await this.models.waitForHead();
    return this.queries.entry(query.entryId, query.type);
  }
}

export const QUERY_HANDLERS = [
  GetEntryHandler,
  GetSelectionHandler,
  GetBalanceHandler,
  GetLedgerHandler,
  GetLeaderboardHandler,
  GetFundHandler,
  GetStockHandler,
];
