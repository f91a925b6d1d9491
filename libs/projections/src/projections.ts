import type { LedgerEvent } from '@ledger/domain';
import type { SqlQuery } from '@ledger/event-store';
import { periodsOf } from './periods';
import { hazardsProjection, tasksProjection } from './workflows.projections';
import { perEvent, type ApplyContext, type BatchEvent, type Projection } from './projection';

/*
 * The heavy projections (balances, ledger lines, funds, stock, leaderboards) apply a batch with a
 * few set-based statements: they first fold the batch into per-row deltas in memory, then write
 * every row once (`unnest` of arrays). Rows created in a batch are inserted before deltas apply.
 */

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
  async applyBatch(batch, q, { schema: s }) {
    // Registrations are most of a directory's events: they go in one statement per batch.
    const registered: unknown[][] = [[], [], [], [], []];
    const flush = async () => {
      if (registered[0].length === 0) return;
      await q(
        `insert into ${s}.riders select r, c, p, o, t, false
         from unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::timestamptz[]) as x(r, c, p, o, t)`,
        registered.map((column) => column.splice(0)),
      );
    };
    for (const { event, stored } of batch) {
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
          [riderId, communityId, platform, occupation, stored.recordedAt.toISOString()].forEach(
            (v, i) => registered[i].push(v),
          );
          break;
        }
        case 'RiderTransferred':
          await flush(); // the rider may have registered earlier in this batch
          await q(`update ${s}.riders set community_id = $2 where rider_id = $1`, [
            event.data.riderId,
            event.data.toCommunityId,
          ]);
          break;
        case 'RiderPersonalDataErased':
          await flush();
          await q(`update ${s}.riders set erased = true where rider_id = $1`, [event.data.riderId]);
          break;
        default:
          break;
      }
    }
    await flush();
  },
};

type Delta = [balance: number, earned: number, redeemed: number, reversed: number];

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
  async applyBatch(batch, q, { schema: s }) {
    const registered: string[] = [];
    const deltas = new Map<string, Delta>();
    const badges: [string, string, string, Date][] = [];
    const add = (riderId: string, d: Delta) => {
      const current = deltas.get(riderId) ?? [0, 0, 0, 0];
      deltas.set(riderId, current.map((v, i) => v + d[i]) as Delta);
    };
    for (const { event, stored } of batch) {
      switch (event.type) {
        case 'RiderRegistered':
          registered.push(event.data.riderId);
          break;
        case 'PointsAwarded':
          add(event.data.riderId, [event.data.points, event.data.points, 0, 0]);
          break;
        case 'AwardReversed':
          add(event.data.riderId, [-event.data.points, 0, 0, event.data.points]);
          break;
        case 'RedemptionMade':
          add(event.data.riderId, [-event.data.points, 0, event.data.points, 0]);
          break;
        case 'RedemptionCancelled':
          add(event.data.riderId, [event.data.points, 0, -event.data.points, 0]);
          break;
        case 'BadgeEarned':
          badges.push([event.data.riderId, event.data.badgeId, event.data.name, stored.recordedAt]);
          break;
        default:
          break;
      }
    }
    if (registered.length > 0) {
      await q(`insert into ${s}.balances select r, 0, 0, 0, 0 from unnest($1::text[]) as r`, [
        registered,
      ]);
    }
    if (deltas.size > 0) {
      const ids = [...deltas.keys()];
      const column = (i: number) => ids.map((id) => (deltas.get(id) as Delta)[i]);
      await q(
        `update ${s}.balances b set balance = b.balance + d.balance, earned = b.earned + d.earned,
           redeemed = b.redeemed + d.redeemed, reversed = b.reversed + d.reversed
         from unnest($1::text[], $2::bigint[], $3::bigint[], $4::bigint[], $5::bigint[])
           as d(rider_id, balance, earned, redeemed, reversed)
         where b.rider_id = d.rider_id`,
        [ids, column(0), column(1), column(2), column(3)],
      );
    }
    for (const [riderId, badgeId, name, at] of badges) {
      await q(`insert into ${s}.rider_badges values ($1, $2, $3, $4)`, [
        riderId,
        badgeId,
        name,
        at,
      ]);
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
  async applyBatch(batch, q, { schema: s }) {
    const columns: unknown[][] = Array.from({ length: 13 }, () => []);
    for (const { event, stored } of batch) {
      const line = ledgerLine(event);
      if (!line) continue;
      const actor =
        (stored.metadata.actor as { principalId?: string } | undefined)?.principalId ?? 'unknown';
      const occurredAt =
        typeof stored.metadata.occurredAt === 'string'
          ? stored.metadata.occurredAt
          : stored.recordedAt.toISOString();
      const row = [
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
        stored.recordedAt.toISOString(),
        stored.position,
      ];
      row.forEach((value, i) => columns[i].push(value));
    }
    if (columns[0].length === 0) return;
    await q(
      `insert into ${s}.ledger_lines
       select * from unnest($1::text[], $2::bigint[], $3::text[], $4::text[], $5::bigint[], $6::bigint[], $7::text[],
         $8::text[], $9::text[], $10::text[], $11::timestamptz[], $12::timestamptz[], $13::bigint[])`,
      columns,
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
  async applyBatch(batch, q, { schema: s }) {
    const deltas = new Map<string, [budget: number, awarded: number, reversed: number]>();
    const add = (fundId: string, i: 0 | 1 | 2, amount: number) => {
      const d = deltas.get(fundId) ?? [0, 0, 0];
      d[i] += amount;
      deltas.set(fundId, d);
    };
    for (const { event } of batch) {
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
          add(event.data.fundId, 0, event.data.points);
          break;
        case 'FundPointsReserved':
          add(event.data.fundId, 1, event.data.points);
          break;
        case 'FundReservationReleased':
          add(event.data.fundId, 1, -event.data.points);
          break;
        case 'FundPointsReturned':
          add(event.data.fundId, 2, event.data.points);
          break;
        default:
          break;
      }
    }
    for (const [fundId, [budget, awarded, reversed]] of deltas) {
      await q(
        `update ${s}.funds set budget_points = budget_points + $2, awarded_points = awarded_points + $3,
           reversed_points = reversed_points + $4 where fund_id = $1`,
        [fundId, budget, awarded, reversed],
      );
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
  async applyBatch(batch, q, { schema: s }) {
    const stock = new Map<string, number>();
    const move = (
      stationId: string,
      items: readonly { sku: string; quantity: number }[],
      sign: 1 | -1,
    ) => {
      for (const item of items) {
        const key = `${stationId}\u0000${item.sku}`;
        stock.set(key, (stock.get(key) ?? 0) + sign * item.quantity);
      }
    };
    for (const { event } of batch) {
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
          move(event.data.stationId, [event.data], 1);
          break;
        case 'StockReserved':
          move(event.data.stationId, event.data.items, -1);
          break;
        case 'StockReservationReleased':
        case 'StockReturned':
          move(event.data.stationId, event.data.items, 1);
          break;
        default:
          break;
      }
    }
    if (stock.size === 0) return;
    const keys = [...stock.keys()].map((k) => k.split('\u0000'));
    await q(
      `update ${s}.station_items i set stock = i.stock + d.delta
       from unnest($1::text[], $2::text[], $3::bigint[]) as d(station_id, sku, delta)
       where i.station_id = d.station_id and i.sku = d.sku`,
      [keys.map((k) => k[0]), keys.map((k) => k[1]), [...stock.values()]],
    );
  },
};

/**
 * Earned points net of reversals per scope (community, street, district) and period (all, year,
 * month, ISO week of `occurredAt` in the deployment's zone). Points stay with the community they
 * were earned in; a reversal takes them from the award's own scopes and periods. `reached_position`
 * is the log position of the last event (in log order) that changed the total: ties go to whoever
 * got there first.
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
  applyBatch: applyLeaderboards,
};

interface AwardScopes {
  riderId: string;
  scopes: string[];
  periods: string[];
}

async function applyLeaderboards(
  batch: readonly BatchEvent[],
  q: SqlQuery,
  context: ApplyContext,
): Promise<void> {
  const s = context.schema;
  const communities = await knownCommunities(batch, q, s);
  const awards = await knownAwards(batch, q, s);
  const newAwards: [string, AwardScopes, number][] = [];
  // key → [rider, scope, period, points delta, position of the last change]
  const totals = new Map<string, [string, string, string, number, number]>();
  const add = (award: AwardScopes, points: number, position: number) => {
    for (const scope of award.scopes) {
      for (const period of award.periods) {
        const key = `${scope}\u0000${period}\u0000${award.riderId}`;
        const current = totals.get(key);
        totals.set(key, [award.riderId, scope, period, (current?.[3] ?? 0) + points, position]);
      }
    }
  };
  for (const { event, stored } of batch) {
    if (event.type === 'CommunityRegistered') {
      const { communityId, street, district } = event.data;
      await q(`insert into ${s}.lb_communities values ($1, $2, $3)`, [
        communityId,
        street,
        district,
      ]);
    } else if (event.type === 'PointsAwarded') {
      const d = event.data;
      const community = communities.get(d.communityId);
      if (!community) throw new Error(`community ${d.communityId} of an award is unknown`);
      const award = {
        riderId: d.riderId,
        scopes: [
          `community:${d.communityId}`,
          `street:${community.street}`,
          `district:${community.district}`,
        ],
        periods: periodsOf(new Date(d.occurredAt), context.timeZone),
      };
      awards.set(d.entryId, award);
      newAwards.push([d.entryId, award, d.points]);
      add(award, d.points, stored.position);
    } else if (event.type === 'AwardReversed') {
      const award = awards.get(event.data.reversalOf);
      if (!award)
        throw new Error(`reversed award ${event.data.reversalOf} is not on the leaderboard`);
      add(award, -event.data.points, stored.position);
    }
  }
  if (newAwards.length > 0) {
    // Arrays of arrays do not travel well as parameters: scopes and periods go as joined text.
    await q(
      `insert into ${s}.lb_awards select e, r, string_to_array(sc, '|'), string_to_array(pe, '|'), p
       from unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::bigint[]) as x(e, r, sc, pe, p)`,
      [
        newAwards.map((a) => a[0]),
        newAwards.map((a) => a[1].riderId),
        newAwards.map((a) => a[1].scopes.join('|')),
        newAwards.map((a) => a[1].periods.join('|')),
        newAwards.map((a) => a[2]),
      ],
    );
  }
  if (totals.size === 0) return;
  const rows = [...totals.values()];
  await q(
    `insert into ${s}.leaderboard_points (rider_id, scope, period, points, reached_position)
     select * from unnest($1::text[], $2::text[], $3::text[], $4::bigint[], $5::bigint[])
     on conflict (scope, period, rider_id) do update
       set points = leaderboard_points.points + excluded.points, reached_position = excluded.reached_position`,
    [0, 1, 2, 3, 4].map((i) => rows.map((r) => r[i])),
  );
}

/** Street and district of every community an award in the batch names (from the table or the batch). */
async function knownCommunities(batch: readonly BatchEvent[], q: SqlQuery, s: string) {
  const known = new Map<string, { street: string; district: string }>();
  const wanted = new Set<string>();
  for (const { event } of batch) {
    if (event.type === 'CommunityRegistered') known.set(event.data.communityId, event.data);
    else if (event.type === 'PointsAwarded') wanted.add(event.data.communityId);
  }
  const missing = [...wanted].filter((id) => !known.has(id));
  if (missing.length > 0) {
    const { rows } = await q<{ community_id: string; street: string; district: string }>(
      `select community_id, street, district from ${s}.lb_communities where community_id = any($1::text[])`,
      [missing],
    );
    for (const r of rows) known.set(r.community_id, r);
  }
  return known;
}

/** The scopes and periods of every award a reversal in the batch names, from the table. */
async function knownAwards(
  batch: readonly BatchEvent[],
  q: SqlQuery,
  s: string,
): Promise<Map<string, AwardScopes>> {
  const reversed = batch.flatMap(({ event }) =>
    event.type === 'AwardReversed' ? [event.data.reversalOf] : [],
  );
  const known = new Map<string, AwardScopes>();
  if (reversed.length === 0) return known;
  const { rows } = await q<{
    entry_id: string;
    rider_id: string;
    scopes: string[];
    periods: string[];
  }>(
    `select entry_id, rider_id, scopes, periods from ${s}.lb_awards where entry_id = any($1::text[])`,
    [reversed],
  );
  for (const r of rows)
    known.set(r.entry_id, { riderId: r.rider_id, scopes: r.scopes, periods: r.periods });
  return known;
}

/** Selections: open, or closed with their cut-off and winners (as recorded by the close). */
export const selectionsProjection: Projection = {
  name: 'selections',
  tables: [{ name: 'selections', orderBy: 'selection_id' }],
  ddl: (s) => `
    create table if not exists ${s}.selections (selection_id text primary key, district text not null,
      year integer not null, size integer not null, status text not null, cutoff_position bigint,
      winners jsonb not null default '[]');`,
  applyBatch: perEvent(async (event, _stored, q, { schema: s }) => {
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
  }),
};

/** Principals as the API authenticates them: role, scope, token hash (never the token), revoked. */
export const principalsProjection: Projection = {
  name: 'principals',
  tables: [{ name: 'principals', orderBy: 'principal_id' }],
  ddl: (s) => `
    create table if not exists ${s}.principals (principal_id text primary key, name text not null,
      role text not null, community_ids text[] not null, station_ids text[] not null, rider_id text,
      token_hash text not null unique, revoked boolean not null default false);`,
  applyBatch: perEvent(async (event, _stored, q, { schema: s }) => {
    if (event.type === 'PrincipalCreated') {
      const d = event.data;
      await q(
        `insert into ${s}.principals values ($1, $2, $3, $4::text[], $5::text[], $6, $7, false)`,
        [
          d.principalId,
          d.name,
          d.role,
          d.communityIds,
          d.stationIds,
          d.riderId ?? null,
          d.tokenHash,
        ],
      );
    } else if (event.type === 'PrincipalRevoked') {
      await q(`update ${s}.principals set revoked = true where principal_id = $1`, [
        event.data.principalId,
      ]);
    }
  }),
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
  principalsProjection,
  tasksProjection,
  hazardsProjection,
];
