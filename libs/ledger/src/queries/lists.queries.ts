import {
  badgesDecider,
  DomainError,
  reportCommunities,
  riderCommunities,
  BADGES_STREAM,
  type Actor,
  type BadgeThreshold,
} from '@ledger/domain';
import {
  communityPage,
  fundPage,
  principalById,
  principalPage,
  readKeyset,
  stationPage,
  type CommunityView,
  type FundView,
  type Page,
  type PrincipalView,
  type ProjectionName,
  type ReadModels,
  type StationView,
} from '@ledger/projections';
import { Inject } from '@nestjs/common';
import { Query, QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import type { LedgerConfig } from '../config/ledger-config';
import { LEDGER_CONFIG, READ_MODELS } from '../infrastructure/tokens';
import { riderDirectoryPage, type RiderListItem } from '../personal-data/rider-directory';
import { StreamWriter } from '../write/stream-writer';
import { caughtUp, ReadQuery } from './read-query';
import { BOOTSTRAP_ADMIN_ID } from './system.queries';

/** A page of a list: its size and the cursor of the page before. */
export interface ListPaging {
  readonly limit: number;
  readonly cursor?: string | undefined;
}

/** A list read for a principal (scope rules decide what it sees). */
abstract class ListQuery<F, R> extends ReadQuery<Page<R> | DomainError> {
  constructor(
    readonly actor: Actor,
    readonly filter: F,
    readonly paging: ListPaging,
    minPosition?: number,
  ) {
    super(minPosition);
  }
}

export class ListCommunitiesQuery extends ListQuery<
  { district?: string | undefined; street?: string | undefined },
  CommunityView
> {}
export class ListStationsQuery extends ListQuery<{ district?: string | undefined }, StationView> {}
export class ListFundsQuery extends ListQuery<Record<string, never>, FundView> {}
export class ListPrincipalsQuery extends ListQuery<{ role?: string | undefined }, PrincipalView> {}
export class ListRidersQuery extends ListQuery<
  { communityId?: string | undefined; q?: string | undefined },
  RiderListItem
> {}

/** The sort key a list's cursor holds, or why the cursor is refused. */
export function after(
  paging: ListPaging,
  size: number,
): (string | number)[] | undefined | DomainError {
  const key = readKeyset(paging.cursor, size);
  return key === null
    ? new DomainError('VALIDATION_FAILED', 'cursor is not a nextCursor of this list')
    : key;
}

/**
 * One page of a list: the cursor checked (a key of `keySize` values), the read models it reads
 * caught up with the caller's writes, then `read` with the key to start after.
 */
async function listPage<R>(
  models: ReadModels,
  query: ListQuery<unknown, R>,
  from: { keySize: number; projections: readonly ProjectionName[] },
  read: (key: (string | number)[] | undefined) => Promise<Page<R> | DomainError>,
): Promise<Page<R> | DomainError> {
  const key = after(query.paging, from.keySize);
  if (key instanceof DomainError) return key;
  await caughtUp(models, query, from.projections);
  return read(key);
}

/** Communities: staff see their own, a verifier given communities those; others see all. */
@QueryHandler(ListCommunitiesQuery)
export class ListCommunitiesHandler implements IQueryHandler<ListCommunitiesQuery> {
  constructor(@Inject(READ_MODELS) private readonly models: ReadModels) {}

  execute(query: ListCommunitiesQuery) {
    const communities = reportCommunities(query.actor);
    return listPage(this.models, query, { keySize: 4, projections: ['directory'] }, (after) =>
      communityPage(this.models, {
        ...query.filter,
        communities,
        limit: query.paging.limit,
        after,
      }),
    );
  }
}

@QueryHandler(ListStationsQuery)
export class ListStationsHandler implements IQueryHandler<ListStationsQuery> {
  constructor(@Inject(READ_MODELS) private readonly models: ReadModels) {}

  execute(query: ListStationsQuery) {
    return listPage(this.models, query, { keySize: 3, projections: ['stations'] }, (after) =>
      stationPage(this.models, { ...query.filter, limit: query.paging.limit, after }),
    );
  }
}

@QueryHandler(ListFundsQuery)
export class ListFundsHandler implements IQueryHandler<ListFundsQuery> {
  constructor(@Inject(READ_MODELS) private readonly models: ReadModels) {}

  execute(query: ListFundsQuery) {
    return listPage(this.models, query, { keySize: 2, projections: ['funds'] }, (after) =>
      fundPage(this.models, { limit: query.paging.limit, after }),
    );
  }
}

@QueryHandler(ListPrincipalsQuery)
export class ListPrincipalsHandler implements IQueryHandler<ListPrincipalsQuery> {
  constructor(@Inject(READ_MODELS) private readonly models: ReadModels) {}

  execute(query: ListPrincipalsQuery) {
    return listPage(this.models, query, { keySize: 1, projections: ['principals'] }, (after) =>
      principalPage(this.models, { ...query.filter, limit: query.paging.limit, after }),
    );
  }
}

/**
 * Riders with their names. Staff see their communities' riders only: naming another community
 * is 403, and without one the list holds theirs alone.
 */
@QueryHandler(ListRidersQuery)
export class ListRidersHandler implements IQueryHandler<ListRidersQuery> {
  constructor(@Inject(READ_MODELS) private readonly models: ReadModels) {}

  execute(query: ListRidersQuery) {
    return listPage(this.models, query, { keySize: 1, projections: ['directory'] }, (after) => {
      const communities = riderCommunities(query.actor, query.filter.communityId);
      if (communities instanceof DomainError) return Promise.resolve(communities);
      const { q } = query.filter;
      return riderDirectoryPage(this.models, { communities, q, limit: query.paging.limit, after });
    });
  }
}

/** The badge thresholds in force (from their stream, always current). */
export class ListBadgesQuery extends Query<{
  version: number;
  badges: readonly BadgeThreshold[];
}> {}

@QueryHandler(ListBadgesQuery)
export class ListBadgesHandler implements IQueryHandler<ListBadgesQuery> {
  constructor(
    private readonly writer: StreamWriter,
    @Inject(LEDGER_CONFIG) private readonly config: LedgerConfig,
  ) {}

  async execute() {
    const { state } = await this.writer.read(badgesDecider, BADGES_STREAM, this.config.timeZone, {
      fresh: true,
    });
    return { version: state.version, badges: state.badges };
  }
}

/** Who the caller is, and what it may act on. */
export interface Me {
  id: string;
  name: string;
  role: string;
  communityIds: readonly string[];
  stationIds: readonly string[];
  riderId: string | null;
  /** Hazard categories a verifier grades; empty: every category (categories come with issue 10). */
  categories: readonly string[];
}

export class MeQuery extends Query<Me> {
  constructor(readonly actor: Actor) {
    super();
  }
}

@QueryHandler(MeQuery)
export class MeHandler implements IQueryHandler<MeQuery> {
  constructor(@Inject(READ_MODELS) private readonly models: ReadModels) {}

  async execute({ actor }: MeQuery): Promise<Me> {
    const found =
      actor.principalId === BOOTSTRAP_ADMIN_ID
        ? undefined
        : await principalById(this.models, actor.principalId);
    return {
      id: actor.principalId,
      name:
        found?.name ??
        (actor.principalId === BOOTSTRAP_ADMIN_ID ? '管理员 (bootstrap admin)' : actor.principalId),
      role: actor.role,
      communityIds: actor.communityIds,
      stationIds: actor.stationIds,
      riderId: actor.riderId ?? null,
      categories: [],
    };
  }
}

export const LIST_QUERY_HANDLERS = [
  ListCommunitiesHandler,
  ListStationsHandler,
  ListFundsHandler,
  ListPrincipalsHandler,
  ListRidersHandler,
  ListBadgesHandler,
  MeHandler,
];
