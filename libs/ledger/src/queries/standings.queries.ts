import { notFound, type DomainError, say } from '@ledger/domain';
import {
  namedLeaderboardPage,
  scopeExists,
  selectionOf,
  type LeaderboardRow,
  type Page,
  type ReadModels,
  type SelectionView,
} from '@ledger/projections';
import { Inject } from '@nestjs/common';
import { QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import { PERSONAL_DATA, READ_MODELS } from '../infrastructure/tokens';
import { PERSONAL_DATA_TABLE, type PersonalDataStore } from '../personal-data/personal-data.store';
import { named, type NamedRow } from '../personal-data/names';
import { caughtUp, ReadQuery } from './read-query';

export type NamedSelection = SelectionView extends infer V
  ? V extends { winners: LeaderboardRow[] }
    ? Omit<V, 'winners'> & { winners: NamedRow[] }
    : V
  : never;

export class GetLeaderboardQuery extends ReadQuery<Page<NamedRow> | DomainError> {
  constructor(
    readonly scope: string,
    readonly period: string,
    readonly page: { limit: number; cursor?: string | undefined },
    minPosition?: number,
  ) {
    super(minPosition);
  }
}

export class GetSelectionQuery extends ReadQuery<NamedSelection | DomainError> {
  constructor(
    readonly selectionId: string,
    minPosition?: number,
  ) {
    super(minPosition);
  }
}

/** A board of a place the directory does not know is NOT_FOUND, not an empty page. */
@QueryHandler(GetLeaderboardQuery)
export class GetLeaderboardHandler implements IQueryHandler<GetLeaderboardQuery> {
  constructor(@Inject(READ_MODELS) private readonly models: ReadModels) {}

  async execute(query: GetLeaderboardQuery): Promise<Page<NamedRow> | DomainError> {
    await caughtUp(this.models, query, ['leaderboards', 'directory']);
    if (!(await scopeExists(this.models, query.scope))) return notFound(say`scope ${query.scope}`);
    // The names come with the page, in one statement, from the personal data beside the log.
    return namedLeaderboardPage(
      this.models,
      PERSONAL_DATA_TABLE,
      query.scope,
      query.period,
      query.page,
    );
  }
}

@QueryHandler(GetSelectionQuery)
export class GetSelectionHandler implements IQueryHandler<GetSelectionQuery> {
  constructor(
    @Inject(READ_MODELS) private readonly models: ReadModels,
    @Inject(PERSONAL_DATA) private readonly personalData: PersonalDataStore,
  ) {}

  async execute(query: GetSelectionQuery): Promise<NamedSelection | DomainError> {
    await caughtUp(this.models, query, ['selections']);
    const found = await selectionOf(this.models, query.selectionId);
    if (!found) return notFound(say`selection ${query.selectionId}`);
    if (found.status === 'open') return found;
    return { ...found, winners: await named(this.personalData, found.winners) };
  }
}

export const STANDINGS_QUERY_HANDLERS = [GetLeaderboardHandler, GetSelectionHandler];
