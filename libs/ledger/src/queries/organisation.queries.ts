import {
  notFound,
  rulesDecider,
  RULES_STREAM,
  type ActivityRule,
  type DomainError,
  say,
} from '@ledger/domain';
import {
  communityById,
  fundOf,
  stationOf,
  stockOf,
  type CommunityView,
  type FundView,
  type ReadModels,
  type StationView,
  type StockLine,
} from '@ledger/projections';
import { Inject } from '@nestjs/common';
import { Query, QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import type { LedgerConfig } from '../config/ledger-config';
import { LEDGER_CONFIG, READ_MODELS } from '../infrastructure/tokens';
import { StreamWriter } from '../write/stream-writer';
import { caughtUp, ReadQuery } from './read-query';

/** A thing named by id: a community, fund, station or its catalogue. */
abstract class ByIdQuery<R> extends ReadQuery<R | DomainError> {
  constructor(
    readonly id: string,
    minPosition?: number,
  ) {
    super(minPosition);
  }
}

export class GetCommunityQuery extends ByIdQuery<CommunityView> {}
export class GetFundQuery extends ByIdQuery<FundView> {}
export class GetStationQuery extends ByIdQuery<StationView> {}
/** A station's catalogue with stock (NOT_FOUND for an unknown station). */
export class GetStockQuery extends ByIdQuery<StockLine[]> {}

/** The rule set in force, read from its stream (always current, not a read model). */
export class GetRulesQuery extends Query<{ version: number; rules: ActivityRule[] }> {}

@QueryHandler(GetCommunityQuery)
export class GetCommunityHandler implements IQueryHandler<GetCommunityQuery> {
  constructor(@Inject(READ_MODELS) private readonly models: ReadModels) {}

  async execute(query: GetCommunityQuery): Promise<CommunityView | DomainError> {
    await caughtUp(this.models, query, ['directory']);
    return (await communityById(this.models, query.id)) ?? notFound(say`community ${query.id}`);
  }
}

@QueryHandler(GetFundQuery)
export class GetFundHandler implements IQueryHandler<GetFundQuery> {
  constructor(@Inject(READ_MODELS) private readonly models: ReadModels) {}

  async execute(query: GetFundQuery): Promise<FundView | DomainError> {
    await caughtUp(this.models, query, ['funds']);
    return (await fundOf(this.models, query.id)) ?? notFound(say`fund ${query.id}`);
  }
}

@QueryHandler(GetStationQuery)
export class GetStationHandler implements IQueryHandler<GetStationQuery> {
  constructor(@Inject(READ_MODELS) private readonly models: ReadModels) {}

  async execute(query: GetStationQuery): Promise<StationView | DomainError> {
    await caughtUp(this.models, query, ['stations']);
    return (await stationOf(this.models, query.id)) ?? notFound(say`station ${query.id}`);
  }
}

@QueryHandler(GetStockQuery)
export class GetStockHandler implements IQueryHandler<GetStockQuery> {
  constructor(@Inject(READ_MODELS) private readonly models: ReadModels) {}

  async execute(query: GetStockQuery): Promise<StockLine[] | DomainError> {
    await caughtUp(this.models, query, ['stations']);
    if (!(await stationOf(this.models, query.id))) return notFound(say`station ${query.id}`);
    return stockOf(this.models, query.id);
  }
}

@QueryHandler(GetRulesQuery)
export class GetRulesHandler implements IQueryHandler<GetRulesQuery> {
  constructor(
    private readonly writer: StreamWriter,
    @Inject(LEDGER_CONFIG) private readonly config: LedgerConfig,
  ) {}

  async execute(): Promise<{ version: number; rules: ActivityRule[] }> {
    const { state } = await this.writer.read(rulesDecider, RULES_STREAM, this.config.timeZone, {
      fresh: true,
    });
    return { version: state.version, rules: [...state.rules.values()] };
  }
}

export const ORGANISATION_QUERY_HANDLERS = [
  GetCommunityHandler,
  GetFundHandler,
  GetStationHandler,
  GetStockHandler,
  GetRulesHandler,
];
