import { notFound, type DomainError } from '@ledger/domain';
import {
  leaderboardPage,
  selectionOf,
  type LeaderboardRow,
  type Page,
  type ReadModels,
  type SelectionView,
} from '@ledger/projections';
import { Inject } from '@nestjs/common';
import { QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import { READ_MODELS } from '../infrastructure/tokens';
import { caughtUp, ReadQuery } from './read-query';

export class GetLeaderboardQuery extends ReadQuery<Page<LeaderboardRow>> {
  constructor(
    readonly scope: string,
    readonly period: string,
    readonly page: { limit: number; cursor?: string | undefined },
    minPosition?: number,
  ) {
    super(minPosition);
  }
}

export class GetSelectionQuery extends ReadQuery<SelectionView | DomainError> {
  constructor(
    readonly selectionId: string,
    minPosition?: number,
  ) {
    super(minPosition);
  }
}

@QueryHandler(GetLeaderboardQuery)
export class GetLeaderboardHandler implements IQueryHandler<GetLeaderboardQuery> {
  constructor(@Inject(READ_MODELS) private readonly models: ReadModels) {}

  async execute(query: GetLeaderboardQuery): Promise<Page<LeaderboardRow>> {
    await caughtUp(this.models, query, ['leaderboards']);
    return leaderboardPage(this.models, query.scope, query.period, query.page);
  }
}

@QueryHandler(GetSelectionQuery)
export class GetSelectionHandler implements IQueryHandler<GetSelectionQuery> {
  constructor(@Inject(READ_MODELS) private readonly models: ReadModels) {}

  async execute(query: GetSelectionQuery): Promise<SelectionView | DomainError> {
    await caughtUp(this.models, query, ['selections']);
    const found = await selectionOf(this.models, query.selectionId);
    return found ?? notFound(`selection ${query.selectionId}`);
  }
}

export const STANDINGS_QUERY_HANDLERS = [GetLeaderboardHandler, GetSelectionHandler];
