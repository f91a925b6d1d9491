import type { LedgerEvent } from '@ledger/domain';
import type { SqlQuery, StoredEvent } from '@ledger/event-store';
import { periodsOf } from './periods';
import type { ApplyContext, Projection } from './projection';

/** Communities and riders (ids, community, platform; never names): the directory of the ledger. */
export const directoryProjection: Projection = {
  name: 'directory',
  tables: [
    { name: 'communities', orderBy: 'community_id' },
    { name: 'riders', orderBy: 'rider_id' },
  ],
  ddl: (s) => `
    create table if not exists ${s}.communities (community_id text primary key, name text not null,
      street text not null, district text not null);
    create table if not exists ${s}.riders (rider_id text primary key, community_id text not null,
      platform text not null, occupation text not null, registered_at timestamptz not null,
      erased boolean not null default false);`,
  async apply(event, stored, q, { schema: s }) {
    switch (event.type) {
      case 'CommunityRegistered': {
        const { communityId, name, street, district } = event.data;
        await q(`insert into ${s}.communities values ($1, $2, $3, $4)`, [
          communityId,
          name,
          street,
          district,
        ]);
        break;
      }
      case 'RiderRegistered': {
        const { riderId, communityId, platform, occupation } = event.data;
        await q(`insert into ${s}.riders values ($1, $2, $3, $4, $5, false)`, [
          riderId,
          communityId,
          platform,
          occupation,
          stored.recordedAt,
        ]);
        break;
      }
      case 'RiderTransferred':
        await q(`update ${s}.riders set community_id = $2 where rider_id = $1`, [
          event.data.riderId,
          event.data.toCommunityId,
        ]);
        break;
      case 'RiderPersonalDataErased':
        await q(`update ${s}.riders set erased = true where rider_id = $1`, [event.data.riderId]);
        break;
      default:
        break;
    }
  },
};

/** Per rider: balance, earned, redeemed (net of cancellations), reversed, and badges. */
export const balancesProjection: Projection = {
  name: 'balances',
  tables: [
    { name: 'balances', orderBy: 'rider_id' },
    { name: 'rider_badges', orderBy: 'rider_id, badge_id' },
  ],
  ddl: (s) => `
    create table if not exists ${s}.balances (rider_id text primary key, balance bigint not null,
      earned bigint not null, redeemed bigint not null, reversed bigint not null,
      check (balance >= 0));
    create table if not exists ${s}.rider_badges (rider_id text not null, badge_id text not null,
      name text not null, earned_at timestamptz not null, primary key (rider_id, badge_id));`,
  async apply(event, stored, q, { schema: s }) {
    const move = (riderId: string, balance: number, column: string, amount: number) =>
      q(
        `update ${s}.balances set balance = balance + $2, ${column} = ${column} + $3 where rider_id = $1`,
        [riderId, balance, amount],
      );
    switch (event.type) {
      case 'RiderRegistered':
        await q(`insert into ${s}.balances values ($1, 0, 0, 0, 0)`, [event.data.riderId]);
        break;
      case 'PointsAwarded':
        await move(event.data.riderId, event.data.points, 'earned', event.data.points);
        break;
      case 'AwardReversed':
        await move(event.data.riderId, -event.data.points, 'reversed', event.data.points);
        break;
      case 'RedemptionMade':
        await move(event.data.riderId, -event.data.points, 'redeemed', event.data.points);
        break;
      case 'RedemptionCancelled':
        await move(event.data.riderId, event.data.points, 'redeemed', -event.data.points);
        break;
      case 'BadgeEarned': {
        const { riderId, badgeId, name } = event.data;
        await q(`insert into ${s}.rider_badges values ($1, $2, $3, $4)`, [
          riderId,
          badgeId,
          name,
          stored.recordedAt,
        ]);
        break;
      }
      default:
        break;
    }
  },
};

/** Every movement of a rider's points, one line each, in the rider's own order (revision). */
export const ledgerLinesProjection: Projection = {
  name: 'ledger-lines',
  tables: [{ name: 'ledger_lines', orderBy: 'rider_id, revision' }],
  ddl: (s) => `
    create table if not exists ${s}.ledger_lines (rider_id text not null, revision bigint not null,
      entry_id text not null, type text not null, points bigint not null, balance_after bigint not null,
      activity text, reason text, station_id text, actor text not null, occurred_at timestamptz not null,
      recorded_at timestamptz not null, position bigint not null, primary key (rider_id, revision));
    create index if not exists ledger_lines_entry on ${s}.ledger_lines (entry_id);`,
  async apply(event, stored, q, { schema: s }) {
    const line = ledgerLine(event);
    if (!line) return;
    const actor =
      (stored.metadata.actor as { principalId?: string } | undefined)?.principalId ?? 'unknown';
    const occurredAt =
      typeof stored.metadata.occurredAt === 'string'
        ? stored.metadata.occurredAt
        : stored.recordedAt;
    await q(
      `insert into ${s}.ledger_lines values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)`,
      [
        line.riderId,
        stored.revision,
        line.entryId,
        line.type,
        line.points,
        line.balanceAfter,
        line.activity ?? null,
        line.reason ?? null,
        line.stationId ?? null,
        actor,
        occurredAt,
        stored.recordedAt,
        stored.position,
      ],
    );
  },
};

interface Line {
  riderId: string;
  entryId: string;
  type: 'award' | 'reversal' | 'redemption' | 'cancellation';
  points: number;
  balanceAfter: number;
  activity?: string;
  reason?: string;
  stationId?: string;
}

/** Signed points: positive credits the rider, negative debits. */
function ledgerLine(event: LedgerEvent): Line | undefined {
  switch (event.type) {
    case 'PointsAwarded': {
      const d = event.data;
      return {
        riderId: d.riderId,
        entryId: d.entryId,
        type: 'award',
        points: d.points,
        balanceAfter: d.balanceAfter,
        activity: d.activity,
        reason: d.reason,
      };
    }
    case 'AwardReversed': {
      const d = event.data;
      return {
        riderId: d.riderId,
        entryId: d.entryId,
        type: 'reversal',
        points: -d.points,
        balanceAfter: d.balanceAfter,
        reason: d.reason,
      };
    }
    case 'RedemptionMade': {
      const d = event.data;
      return {
        riderId: d.riderId,
        entryId: d.redemptionId,
        type: 'redemption',
        points: -d.points,
        balanceAfter: d.balanceAfter,
        stationId: d.stationId,
      };
    }
    case 'RedemptionCancelled': {
      const d = event.data;
      return {
        riderId: d.riderId,
        entryId: d.redemptionId,
        type: 'cancellation',
        points: d.points,
        balanceAfter: d.balanceAfter,
        reason: d.reason,
        stationId: d.stationId,
      };
    }
    default:
      return undefined;
  }
}

/** Budget, points reserved for awards (not released), points returned by reversals. */
export const fundsProjection: Projection = {
  name: 'funds',
  tables: [{ name: 'funds', orderBy: 'fund_id' }],
  ddl: (s) => `
    create table if not exists ${s}.funds (fund_id text primary key, name text not null,
      district text not null, budget_points bigint not null, awarded_points bigint not null,
      reversed_points bigint not null, check (budget_points - awarded_points + reversed_points >= 0));`,
  async apply(event, _stored, q, { schema: s }) {
    const add = (fundId: string, column: string, amount: number) =>
      q(`update ${s}.funds set ${column} = ${column} + $2 where fund_id = $1`, [fundId, amount]);
    switch (event.type) {
      case 'FundCreated': {
        const { fundId, name, district, budgetPoints } = event.data;
        await q(`insert into ${s}.funds values ($1, $2, $3, $4, 0, 0)`, [
          fundId,
          name,
          district,
          budgetPoints,
        ]);
        break;
      }
      case 'FundToppedUp':
        await add(event.data.fundId, 'budget_points', event.data.points);
        break;
      case 'FundPointsReserved':
        await add(event.data.fundId, 'awarded_points', event.data.points);
        break;
      case 'FundReservationReleased':
        await add(event.data.fundId, 'awarded_points', -event.data.points);
        break;
      case 'FundPointsReturned':
        await add(event.data.fundId, 'reversed_points', event.data.points);
        break;
      default:
        break;
    }
  },
};

/** Stations, their catalogues and stock. */
export const stationsProjection: Projection = {
  name: 'stations',
  tables: [
    { name: 'stations', orderBy: 'station_id' },
    { name: 'station_items', orderBy: 'station_id, sku' },
  ],
  ddl: (s) => `
    create table if not exists ${s}.stations (station_id text primary key, name text not null,
      district text not null, community_id text, kind text not null);
    create table if not exists ${s}.station_items (station_id text not null, sku text not null,
      name text not null, kind text not null, price_points bigint not null, stock bigint not null,
      primary key (station_id, sku), check (stock >= 0));`,
  async apply(event, _stored, q, { schema: s }) {
    const stock = async (
      stationId: string,
      items: readonly { sku: string; quantity: number }[],
      sign: 1 | -1,
    ) => {
      for (const item of items) {
        await q(
          `update ${s}.station_items set stock = stock + $3 where station_id = $1 and sku = $2`,
          [stationId, item.sku, sign * item.quantity],
        );
      }
    };
    switch (event.type) {
      case 'StationRegistered': {
        const { stationId, name, district, communityId, kind } = event.data;
        await q(`insert into ${s}.stations values ($1, $2, $3, $4, $5)`, [
          stationId,
          name,
          district,
          communityId ?? null,
          kind,
        ]);
        break;
      }
      case 'ItemPriced': {
        const { stationId, sku, name, kind, pricePoints } = event.data;
        await q(
          `insert into ${s}.station_items values ($1, $2, $3, $4, $5, 0)
           on conflict (station_id, sku) do update set name = excluded.name, kind = excluded.kind, price_points = excluded.price_points`,
          [stationId, sku, name, kind, pricePoints],
        );
        break;
      }
      case 'StockAdded':
        await stock(event.data.stationId, [event.data], 1);
        break;
      case 'StockReserved':
        await stock(event.data.stationId, event.data.items, -1);
        break;
      case 'StockReservationReleased':
      case 'StockReturned':
        await stock(event.data.stationId, event.data.items, 1);
        break;
      default:
        break;
    }
  },
};

/**
 * Earned points net of reversals per scope (community, street, district) and period (all, year,
 * month, ISO week of `occurredAt` in the deployment's zone). Points stay with the community they
 * were earned in; a reversal takes them from the award's own scopes and periods. `reached_position`
 * is the log position of the last event that changed the total: ties go to whoever got there first.
 */
export const leaderboardsProjection: Projection = {
  name: 'leaderboards',
  tables: [
    { name: 'lb_communities', orderBy: 'community_id' },
    { name: 'lb_awards', orderBy: 'entry_id' },
    { name: 'leaderboard_points', orderBy: 'scope, period, rider_id' },
  ],
  ddl: (s) => `
    create table if not exists ${s}.lb_communities (community_id text primary key, street text not null, district text not null);
    create table if not exists ${s}.lb_awards (entry_id text primary key, rider_id text not null,
      scopes text[] not null, periods text[] not null, points bigint not null);
    create table if not exists ${s}.leaderboard_points (scope text not null, period text not null,
      rider_id text not null, points bigint not null, reached_position bigint not null,
      primary key (scope, period, rider_id));
    create index if not exists leaderboard_order on ${s}.leaderboard_points
      (scope, period, points desc, reached_position, rider_id);`,
  async apply(event, stored, q, context) {
    const s = context.schema;
    switch (event.type) {
      case 'CommunityRegistered': {
        const { communityId, street, district } = event.data;
        await q(`insert into ${s}.lb_communities values ($1, $2, $3)`, [
          communityId,
          street,
          district,
        ]);
        break;
      }
      case 'PointsAwarded': {
        const d = event.data;
        const scopes = await scopesOf(d.communityId, q, context);
        const periods = periodsOf(new Date(d.occurredAt), context.timeZone);
        await q(`insert into ${s}.lb_awards values ($1, $2, $3, $4, $5)`, [
          d.entryId,
          d.riderId,
          scopes,
          periods,
          d.points,
        ]);
        await addPoints(d.riderId, scopes, periods, d.points, stored.position, q, s);
        break;
      }
      case 'AwardReversed': {
        const { rows } = await q<{ scopes: string[]; periods: string[] }>(
          `select scopes, periods from ${s}.lb_awards where entry_id = $1`,
          [event.data.reversalOf],
        );
        if (rows.length === 0)
          throw new Error(`reversed award ${event.data.reversalOf} is not on the leaderboard`);
        await addPoints(
          event.data.riderId,
          rows[0].scopes,
          rows[0].periods,
          -event.data.points,
          stored.position,
          q,
          s,
        );
        break;
      }
      default:
        break;
    }
  },
};

async function scopesOf(
  communityId: string,
  q: SqlQuery,
  { schema: s }: ApplyContext,
): Promise<string[]> {
  const { rows } = await q<{ street: string; district: string }>(
    `select street, district from ${s}.lb_communities where community_id = $1`,
    [communityId],
  );
  if (rows.length === 0) throw new Error(`community ${communityId} of an award is unknown`);
  return [`community:${communityId}`, `street:${rows[0].street}`, `district:${rows[0].district}`];
}

async function addPoints(
  riderId: string,
  scopes: string[],
  periods: string[],
  points: number,
  position: number,
  q: SqlQuery,
  s: string,
): Promise<void> {
  await q(
    `insert into ${s}.leaderboard_points (scope, period, rider_id, points, reached_position)
     select scope, period, $1, $2, $3 from unnest($4::text[]) as scope cross join unnest($5::text[]) as period
     on conflict (scope, period, rider_id) do update
       set points = leaderboard_points.points + excluded.points, reached_position = excluded.reached_position`,
    [riderId, points, position, scopes, periods],
  );
}

/** Selections: open, or closed with their cut-off and winners (as recorded by the close). */
export const selectionsProjection: Projection = {
  name: 'selections',
  tables: [{ name: 'selections', orderBy: 'selection_id' }],
  ddl: (s) => `
    create table if not exists ${s}.selections (selection_id text primary key, district text not null,
      year integer not null, size integer not null, status text not null, cutoff_position bigint,
      winners jsonb not null default '[]');`,
  async apply(event, _stored, q, { schema: s }) {
    switch (event.type) {
      case 'SelectionOpened': {
        const { selectionId, district, year, size } = event.data;
        await q(`insert into ${s}.selections values ($1, $2, $3, $4, 'open', null, '[]')`, [
          selectionId,
          district,
          year,
          size,
        ]);
        break;
      }
      case 'SelectionClosed':
        await q(
          `update ${s}.selections set status = 'closed', cutoff_position = $2, winners = $3::jsonb where selection_id = $1`,
          [event.data.selectionId, event.data.cutoffPosition, JSON.stringify(event.data.winners)],
        );
        break;
      default:
        break;
    }
  },
};

/** Every projection, in the order a full rebuild applies them. */
export const PROJECTIONS: readonly Projection[] = [
  directoryProjection,
  balancesProjection,
  ledgerLinesProjection,
  fundsProjection,
  stationsProjection,
  leaderboardsProjection,
  selectionsProjection,
];

export type { StoredEvent };
