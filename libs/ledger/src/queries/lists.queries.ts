import {
  badgesDecider,
  DomainError,
  notFound,
  reportCommunities,
  riderCommunities,
  stationFindsByPhone,
  BADGES_STREAM,
  type Actor,
  type BadgeThreshold,
  type Said,
  say,
} from '@ledger/domain';
import {
  communityPage,
  districtsOfStations,
  fundPage,
  principalById,
  principalPage,
  readKeyset,
  scopeExists,
  selectionPage,
  signUpPage,
  stationPage,
  taskCommunity,
  type CommunityView,
  type FundView,
  type Page,
  type PrincipalView,
  type ProjectionName,
  type ReadModels,
  type SelectionSummary,
  type StationView,
} from '@ledger/projections';
import { Inject } from '@nestjs/common';
import { Query, QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import type { LedgerConfig } from '../config/ledger-config';
import { LEDGER_CONFIG, PERSONAL_DATA, READ_MODELS } from '../infrastructure/tokens';
import type { PersonalDataStore } from '../personal-data/personal-data.store';
import { KeptTexts, withKeptTexts } from '../personal-data/kept-texts';
import { riderDirectoryPage, type RiderListItem } from '../personal-data/rider-directory';
import { StreamWriter } from '../write/stream-writer';
import { caughtUp, ReadQuery } from './read-query';
import { BOOTSTRAP_ADMIN_ID, BOOTSTRAP_ADMIN_NAME } from './system.queries';

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
/** A principal as the API shows it: its name looked up beside the log (`null` once erased). */
export type Principal = Omit<PrincipalView, 'nameTextId'>;

/** The name a principal's row holds (written into older events) or names (a kept text). */
export async function principalsNamed(
  texts: KeptTexts,
  rows: readonly PrincipalView[],
): Promise<Principal[]> {
  return withKeptTexts(
    texts,
    rows,
    (row) => (row.name === null ? row.nameTextId : null),
    ({ nameTextId: _id, ...row }, kept) => ({ ...row, name: row.name ?? kept }),
  );
}

export class ListPrincipalsQuery extends ListQuery<{ role?: string | undefined }, Principal> {}
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
    ? new DomainError('VALIDATION_FAILED', say`cursor is not a nextCursor of this list`)
    : key;
}

/** What a list reads: its cursor's key size, the read models, and the places its filter names. */
interface ListSource {
  readonly keySize: number;
  readonly projections: readonly ProjectionName[];
  /** Scopes (`community:<id>`, `street:<name>`, `district:<name>`) that must exist, or 404. */
  readonly places?: readonly (string | false)[];
}

/**
 * One page of a list: the cursor checked, the read models caught up with the caller's writes,
 * each place the filter names known (a list of a place the ledger does not know is 404, not an
 * empty page), then `read` with the key to start after.
 */
async function listPage<R>(
  models: ReadModels,
  query: ListQuery<unknown, R>,
  source: ListSource,
  read: (key: (string | number)[] | undefined) => Promise<Page<R> | DomainError>,
): Promise<Page<R> | DomainError> {
  const key = after(query.paging, source.keySize);
  if (key instanceof DomainError) return key;
  await caughtUp(models, query, source.projections);
  for (const place of source.places ?? [])
    if (place && !(await placeKnown(models, place))) return notFound(placeSaid(place));
  return read(key);
}

/** `district:江津区` in words. */
function placeSaid(place: string): Said {
  const [kind, name = ''] = place.split(':');
  if (kind === 'community') return say`community ${name}`;
  if (kind === 'street') return say`street ${name}`;
  return say`district ${name}`;
}

/** A place communities are in; a district also when only a station is in it. */
async function placeKnown(models: ReadModels, place: string): Promise<boolean> {
  if (await scopeExists(models, place)) return true;
  const [kind, district] = place.split(':');
  if (kind !== 'district' || district === undefined) return false;
  const stations = await stationPage(models, { district, limit: 1, after: undefined });
  return stations.items.length > 0;
}

/** Communities: staff see their own, a verifier given communities those; others see all. */
@QueryHandler(ListCommunitiesQuery)
export class ListCommunitiesHandler implements IQueryHandler<ListCommunitiesQuery> {
  constructor(@Inject(READ_MODELS) private readonly models: ReadModels) {}

  execute(query: ListCommunitiesQuery) {
    const { district, street } = query.filter;
    const communities = reportCommunities(query.actor);
    const source: ListSource = {
      keySize: 4,
      projections: ['directory'],
      places: [
        district !== undefined && `district:${district}`,
        street !== undefined && `street:${street}`,
      ],
    };
    return listPage(this.models, query, source, (after) =>
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
    const { district } = query.filter;
    const source: ListSource = {
      keySize: 3,
      projections: ['stations', 'directory'],
      places: [district !== undefined && `district:${district}`],
    };
    return listPage(this.models, query, source, (after) =>
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
  constructor(
    @Inject(READ_MODELS) private readonly models: ReadModels,
    private readonly texts: KeptTexts,
  ) {}

  execute(query: ListPrincipalsQuery) {
    return listPage(
      this.models,
      query,
      { keySize: 1, projections: ['principals'] },
      async (after) => {
        const page = await principalPage(this.models, {
          ...query.filter,
          limit: query.paging.limit,
          after,
        });
        return { ...page, items: await principalsNamed(this.texts, page.items) };
      },
    );
  }
}

/**
 * Riders with their names. Staff see their communities' riders only: naming another community
 * is 403 (whether or not it exists), and without one the list holds theirs alone.
 */
@QueryHandler(ListRidersQuery)
export class ListRidersHandler implements IQueryHandler<ListRidersQuery> {
  constructor(@Inject(READ_MODELS) private readonly models: ReadModels) {}

  async execute(query: ListRidersQuery) {
    const { communityId, q } = query.filter;
    const communities = riderCommunities(query.actor, communityId);
    if (communities instanceof DomainError) return communities;
    const refused = stationFindsByPhone(query.actor, q);
    if (refused) return refused;
    const station = query.actor.role === 'station';
    const districts = station
      ? await districtsOfStations(this.models, query.actor.stationIds)
      : undefined;
    const source: ListSource = {
      keySize: 1,
      projections: ['directory'],
      places: [communityId !== undefined && `community:${communityId}`],
    };
    return listPage(this.models, query, source, (after) =>
      riderDirectoryPage(this.models, {
        communities,
        districts,
        q,
        byName: !station,
        limit: query.paging.limit,
        after,
      }),
    );
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
  /** The deployment's time zone (LEDGER_TIME_ZONE), in which the API writes every time. */
  timeZone: string;
  /** The server's clock now (written in `timeZone` by the API), for forms that enter times. */
  now: string;
}

export class MeQuery extends Query<Me> {
  constructor(readonly actor: Actor) {
    super();
  }
}

@QueryHandler(MeQuery)
export class MeHandler implements IQueryHandler<MeQuery> {
  constructor(
    @Inject(READ_MODELS) private readonly models: ReadModels,
    private readonly texts: KeptTexts,
    @Inject(LEDGER_CONFIG) private readonly config: LedgerConfig,
  ) {}

  async execute({ actor }: MeQuery): Promise<Me> {
    const row =
      actor.principalId === BOOTSTRAP_ADMIN_ID
        ? undefined
        : await principalById(this.models, actor.principalId);
    const [found] = row ? await principalsNamed(this.texts, [row]) : [];
    return {
      id: actor.principalId,
      name:
        found?.name ??
        (actor.principalId === BOOTSTRAP_ADMIN_ID ? BOOTSTRAP_ADMIN_NAME : actor.principalId),
      role: actor.role,
      communityIds: actor.communityIds,
      stationIds: actor.stationIds,
      riderId: actor.riderId ?? null,
      categories: [],
      timeZone: this.config.timeZone,
      now: new Date().toISOString(),
    };
  }
}

export class ListSelectionsQuery extends ListQuery<
  { district?: string | undefined },
  SelectionSummary
> {}

@QueryHandler(ListSelectionsQuery)
export class ListSelectionsHandler implements IQueryHandler<ListSelectionsQuery> {
  constructor(@Inject(READ_MODELS) private readonly models: ReadModels) {}

  execute(query: ListSelectionsQuery) {
    const { district } = query.filter;
    const source: ListSource = {
      keySize: 3,
      projections: ['selections', 'directory'],
      places: [district !== undefined && `district:${district}`],
    };
    return listPage(this.models, query, source, async (after) =>
      // A cursor this list gave holds (district, year, id), the year a whole number.
      after && !Number.isSafeInteger(after[1])
        ? new DomainError('VALIDATION_FAILED', say`cursor is not a nextCursor of this list`)
        : selectionPage(this.models, { district, limit: query.paging.limit, after }),
    );
  }
}

/** A rider signed up for a task: its name (`null` once erased) and the award of its completion. */
export interface SignUp {
  riderId: string;
  name: string | null;
  entryId: string | null;
}

export class ListSignUpsQuery extends ListQuery<{ taskId: string }, SignUp> {}

/** Who signed up for a task; staff see the sign-ups of their communities' tasks only. */
@QueryHandler(ListSignUpsQuery)
export class ListSignUpsHandler implements IQueryHandler<ListSignUpsQuery> {
  constructor(
    @Inject(READ_MODELS) private readonly models: ReadModels,
    @Inject(PERSONAL_DATA) private readonly personalData: PersonalDataStore,
  ) {}

  execute(query: ListSignUpsQuery) {
    const { taskId } = query.filter;
    return listPage(this.models, query, { keySize: 1, projections: ['tasks'] }, async (after) => {
      const communityId = await taskCommunity(this.models, taskId);
      if (communityId === undefined) return notFound(say`task ${taskId}`);
      const { actor } = query;
      if (actor.role === 'staff' && !actor.communityIds.includes(communityId))
        return new DomainError('FORBIDDEN', say`staff read only tasks of their communities`);
      const page = await signUpPage(this.models, taskId, { limit: query.paging.limit, after });
      const names = await this.personalData.namesOf(page.items.map((i) => i.riderId));
      return {
        ...page,
        items: page.items.map((i) => ({ ...i, name: names.get(i.riderId) ?? null })),
      };
    });
  }
}

export const LIST_QUERY_HANDLERS = [
  ListSelectionsHandler,
  ListSignUpsHandler,
  ListCommunitiesHandler,
  ListStationsHandler,
  ListFundsHandler,
  ListPrincipalsHandler,
  ListRidersHandler,
  ListBadgesHandler,
  MeHandler,
];
