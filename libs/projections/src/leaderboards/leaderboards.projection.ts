import type { SqlQuery } from '@ledger/event-store';
import type { ApplyContext, BatchEvent, Projection } from '../projection';
import { periodsOf } from './periods';

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
    { name: 'lb_pending', orderBy: 'ord' },
  ],
  ddl: (s) => `
    create table if not exists ${s}.lb_communities (community_id text primary key, street text not null, district text not null);
    create table if not exists ${s}.lb_awards (entry_id text primary key, rider_id text not null,
      scopes text[] not null, periods text[] not null, points bigint not null);
    create table if not exists ${s}.leaderboard_points (scope text not null, period text not null,
      rider_id text not null, points bigint not null, reached_position bigint not null,
      primary key (scope, period, rider_id));
    create index if not exists leaderboard_order on ${s}.leaderboard_points ${LEADERBOARD_ORDER};
    create table if not exists ${s}.lb_pending (ord bigint generated always as identity,
      rider_id text not null, scopes text[] not null, periods text[] not null,
      points bigint not null, position bigint not null);
    ${foldPending(s).join(';\n')}`,
  applyBatch: applyLeaderboards,
  flush: flushLeaderboards,
};

/**
 * The deferred facts folded into the totals. Into an empty table (a rebuild) the rows go in
 * without its indexes, which are built after, sorted once: upserting 285,300 rows through both
 * indexes took 4.3 s, this 2.5 s (issue 14, the 100k-event log).
 */
async function flushLeaderboards(q: SqlQuery, context: ApplyContext): Promise<void> {
  const s = context.schema;
  const { rows } = await q<{ empty: boolean }>(
    `select not exists (select 1 from ${s}.leaderboard_points) as empty`,
  );
  if (!rows[0].empty) {
    for (const statement of foldPending(s)) await q(statement);
    return;
  }
  await q(`drop index ${s}.leaderboard_order`);
  await q(`alter table ${s}.leaderboard_points drop constraint leaderboard_points_pkey`);
  await q(`insert into ${s}.leaderboard_points (scope, period, rider_id, points, reached_position)
    ${summedPending(s)}`);
  await q(`alter table ${s}.leaderboard_points add primary key (scope, period, rider_id)`);
  await q(`create index leaderboard_order on ${s}.leaderboard_points ${LEADERBOARD_ORDER}`);
  await q(`truncate ${s}.lb_pending`);
}

/**
 * A rebuild (`deferred`) keeps each award's and reversal's points in `lb_pending`, a table with no
 * index, and folds them into the totals once at the end: an award touches twelve rows, and
 * upserting them batch by batch was most of a rebuild's time (issue 14). The fold sums every
 * fact per row and keeps the position of the row's last fact in log order (`ord`), as the live
 * upsert does; it runs at the end of a rebuild and at every start (facts a crash left behind).
 */
function foldPending(s: string): string[] {
  return [
    `insert into ${s}.leaderboard_points as t (scope, period, rider_id, points, reached_position)
      ${summedPending(s)}
      on conflict (scope, period, rider_id) do update
        set points = t.points + excluded.points, reached_position = excluded.reached_position`,
    `truncate ${s}.lb_pending`,
  ];
}

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
  const newAwards: [entryId: string, award: AwardScopes, points: number][] = [];
  const totals = new Totals(context.deferred ?? false);
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
      totals.add(award, d.points, stored.position);
    } else if (event.type === 'AwardReversed') {
      const award = awards.get(event.data.reversalOf);
      if (!award)
        throw new Error(`reversed award ${event.data.reversalOf} is not on the leaderboard`);
      totals.add(award, -event.data.points, stored.position);
    }
  }
  await insertAwards(q, s, newAwards);
  await totals.write(q, s);
}

/** Every pending fact's points summed per row, with the position of the row's last fact. */
function summedPending(s: string): string {
  return `select scope, period, rider_id, sum(points), (max(array[ord, position]))[2]
    from ${s}.lb_pending, unnest(scopes) as scope, unnest(periods) as period
    group by scope, period, rider_id`;
}

const LEADERBOARD_ORDER = '(scope, period, points desc, reached_position, rider_id)';

/** A batch's changes to the totals: per scope × period × rider, points and the last position. */
class Totals {
  private readonly rows = new Map<string, [string, string, string, number, number]>();
  /** Deferred instead: one fact per award or reversal, in log order (folded by `flush`). */
  private readonly facts: [AwardScopes, number, number][] = [];

  constructor(private readonly deferred: boolean) {}

  add(award: AwardScopes, points: number, position: number): void {
    if (this.deferred) {
      this.facts.push([award, points, position]);
      return;
    }
    for (const scope of award.scopes) {
      for (const period of award.periods) {
        const key = `${scope}\u0000${period}\u0000${award.riderId}`;
        const current = this.rows.get(key);
        this.rows.set(key, [award.riderId, scope, period, (current?.[3] ?? 0) + points, position]);
      }
    }
  }

  /** Deferred: the facts into `lb_pending`, in log order (`ord` follows the rows' order). */
  private async defer(q: SqlQuery, s: string): Promise<void> {
    if (this.facts.length === 0) return;
    await q(
      `insert into ${s}.lb_pending (rider_id, scopes, periods, points, position)
       select r, string_to_array(sc, '|'), string_to_array(pe, '|'), p, pos
       from unnest($1::text[], $2::text[], $3::text[], $4::bigint[], $5::bigint[])
         with ordinality as x(r, sc, pe, p, pos, n)
       order by n`,
      [
        this.facts.map(([a]) => a.riderId),
        this.facts.map(([a]) => a.scopes.join('|')),
        this.facts.map(([a]) => a.periods.join('|')),
        this.facts.map(([, points]) => points),
        this.facts.map(([, , position]) => position),
      ],
    );
  }

  async write(q: SqlQuery, s: string): Promise<void> {
    if (this.deferred) return this.defer(q, s);
    if (this.rows.size === 0) return;
    const rows = [...this.rows.values()];
    await q(
      `insert into ${s}.leaderboard_points (rider_id, scope, period, points, reached_position)
       select * from unnest($1::text[], $2::text[], $3::text[], $4::bigint[], $5::bigint[])
       on conflict (scope, period, rider_id) do update
         set points = leaderboard_points.points + excluded.points, reached_position = excluded.reached_position`,
      [0, 1, 2, 3, 4].map((i) => rows.map((r) => r[i])),
    );
  }
}

/** The scopes and periods of each new award, for its reversal to find later. */
async function insertAwards(
  q: SqlQuery,
  s: string,
  awards: readonly [string, AwardScopes, number][],
): Promise<void> {
  if (awards.length === 0) return;
  // Arrays of arrays do not travel well as parameters: scopes and periods go as joined text.
  await q(
    `insert into ${s}.lb_awards select e, r, string_to_array(sc, '|'), string_to_array(pe, '|'), p
     from unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::bigint[]) as x(e, r, sc, pe, p)`,
    [
      awards.map((a) => a[0]),
      awards.map((a) => a[1].riderId),
      awards.map((a) => a[1].scopes.join('|')),
      awards.map((a) => a[1].periods.join('|')),
      awards.map((a) => a[2]),
    ],
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
