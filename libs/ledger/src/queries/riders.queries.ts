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
import type { PersonalDataStore } from '../personal-data/personal-data.store';
import { caughtUp, ScopedQuery } from './read-query';

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

export class GetLedgerQuery extends ScopedQuery<Page<LedgerLineView> | DomainError> {
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
  constructor(@Inject(READ_MODELS) private readonly models: ReadModels) {}

  async execute(query: GetLedgerQuery): Promise<Page<LedgerLineView> | DomainError> {
    await caughtUp(this.models, query, ['directory', 'ledger-lines'], query.riderId);
    const refused = await readScope(this.models, query.actor, query.riderId);
    if (refused) return refused;
    return ledgerPage(this.models, query.riderId, query.page);
  }
}

export const RIDER_QUERY_HANDLERS = [GetRiderHandler, GetBalanceHandler, GetLedgerHandler];
