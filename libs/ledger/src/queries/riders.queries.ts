import {
  mayReadRider,
  notFound,
  readsPersonalData,
  say,
  stationServesRider,
  type Actor,
  type DomainError,
} from '@ledger/domain';
import {
  placedBalanceOf,
  principalsByIds,
  districtsOfStations,
  riderDistrict,
  ledgerPage,
  riderCommunity,
  riderRecord,
  type BalanceView,
  type LedgerLineView,
  type Page,
  type ReadModels,
  type RiderRecord,
} from '@ledger/projections';
import { Inject } from '@nestjs/common';
import { QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import { PERSONAL_DATA, READ_MODELS } from '../infrastructure/tokens';
import { KeptTexts } from '../personal-data/kept-texts';
import type { PersonalDataStore } from '../personal-data/personal-data.store';
import { principalsNamed } from './lists.queries';
import { caughtUp, ScopedQuery } from './read-query';
import { BOOTSTRAP_ADMIN_ID, BOOTSTRAP_ADMIN_NAME } from './system.queries';

/** The rider as api.md shows it: its record, and its name (null once erased). */
export type RiderView = RiderRecord & { name: string | null };

export class GetRiderQuery extends ScopedQuery<RiderView | DomainError> {
  constructor(
    actor: Actor,
    readonly riderId: string,
    minPosition?: number,
  ) {
    super(actor, minPosition);
  }
}

export class GetBalanceQuery extends ScopedQuery<BalanceView | DomainError> {
  constructor(
    actor: Actor,
    readonly riderId: string,
    minPosition?: number,
  ) {
    super(actor, minPosition);
  }
}

/**
 * A ledger line as api.md shows it: for staff, admins and auditors an approved line also names its
 * approver (`approvedByName`, null once the name is erased or the principal is unknown); a rider
 * reading its own ledger gets the id alone.
 */
export type LedgerLine = LedgerLineView & { approvedByName?: string | null };

/** Who reads approvers' names on a ledger: those who award, and those who audit the awards. */
const NAMES_APPROVERS_FOR: ReadonlySet<string> = new Set(['admin', 'staff', 'auditor']);

export class GetLedgerQuery extends ScopedQuery<Page<LedgerLine> | DomainError> {
  constructor(
    actor: Actor,
    readonly riderId: string,
    readonly page: { limit: number; cursor?: string | undefined; order?: 'asc' | 'desc' },
    minPosition?: number,
  ) {
    super(actor, minPosition);
  }
}

/**
 * FORBIDDEN when the caller may not read the rider (scope rules in the domain); `place` is where
 * the rider is when the caller has read it already.
 */
export async function readScope(
  models: ReadModels,
  actor: Actor,
  riderId: string,
  place?: { district: string | undefined; communityId: string | undefined },
): Promise<DomainError | undefined> {
  if (actor.role === 'station') {
    const [district, districts] = await Promise.all([
      place ? place.district : riderDistrict(models, riderId),
      districtsOfStations(models, actor.stationIds),
    ]);
    return stationServesRider(actor, riderId, district, districts);
  }
  if (actor.role !== 'staff' && actor.role !== 'rider') return undefined; // read every rider
  const community = place ? place.communityId : await riderCommunity(models, riderId);
  return mayReadRider(actor, riderId, community);
}

@QueryHandler(GetRiderQuery)
export class GetRiderHandler implements IQueryHandler<GetRiderQuery> {
  constructor(
    @Inject(READ_MODELS) private readonly models: ReadModels,
    @Inject(PERSONAL_DATA) private readonly personalData: PersonalDataStore,
  ) {}

  async execute(query: GetRiderQuery): Promise<RiderView | DomainError> {
    await caughtUp(this.models, query, ['directory', 'balances'], query.riderId);
    const refused = await readScope(this.models, query.actor, query.riderId);
    if (refused) return refused;
    const record = await riderRecord(this.models, query.riderId);
    if (!record) return notFound(say`rider ${query.riderId}`);
    // A station learns a name only by finding the rider by phone at its counter.
    if (!readsPersonalData(query.actor)) return { ...record, name: null };
    const personal = await this.personalData.find(query.riderId);
    return { ...record, name: personal?.name ?? null };
  }
}

@QueryHandler(GetBalanceQuery)
export class GetBalanceHandler implements IQueryHandler<GetBalanceQuery> {
  constructor(@Inject(READ_MODELS) private readonly models: ReadModels) {}

  async execute(query: GetBalanceQuery): Promise<BalanceView | DomainError> {
    await caughtUp(this.models, query, ['directory', 'balances'], query.riderId);
    const placed = await placedBalanceOf(this.models, query.riderId);
    const refused = await readScope(this.models, query.actor, query.riderId, placed);
    if (refused) return refused;
    return placed.balance ?? notFound(say`rider ${query.riderId}`);
  }
}

@QueryHandler(GetLedgerQuery)
export class GetLedgerHandler implements IQueryHandler<GetLedgerQuery> {
  constructor(
    @Inject(READ_MODELS) private readonly models: ReadModels,
    private readonly texts: KeptTexts,
  ) {}

  async execute(query: GetLedgerQuery): Promise<Page<LedgerLine> | DomainError> {
    await caughtUp(this.models, query, ['directory', 'ledger-lines'], query.riderId);
    const refused = await readScope(this.models, query.actor, query.riderId);
    if (refused) return refused;
    const page = await ledgerPage(this.models, query.riderId, query.page);
    if (!NAMES_APPROVERS_FOR.has(query.actor.role)) return page;
    return { ...page, items: await this.approversNamed(page.items) };
  }

  /**
   * Each approved line with its approver's name (one read of the page's approvers). `admin` is
   * always the bootstrap admin (a principal of that id in an old log is not it).
   */
  private async approversNamed(lines: readonly LedgerLineView[]): Promise<LedgerLine[]> {
    const ids = lines.flatMap(({ approvedBy: id }) =>
      id === undefined || id === BOOTSTRAP_ADMIN_ID ? [] : [id],
    );
    const approvers = await principalsNamed(this.texts, await principalsByIds(this.models, ids));
    const names = new Map<string, string | null>([[BOOTSTRAP_ADMIN_ID, BOOTSTRAP_ADMIN_NAME]]);
    for (const { id, name } of approvers) if (id !== BOOTSTRAP_ADMIN_ID) names.set(id, name);
    return lines.map((line) =>
      line.approvedBy === undefined
        ? line
        : { ...line, approvedByName: names.get(line.approvedBy) ?? null },
    );
  }
}

export const RIDER_QUERY_HANDLERS = [GetRiderHandler, GetBalanceHandler, GetLedgerHandler];
