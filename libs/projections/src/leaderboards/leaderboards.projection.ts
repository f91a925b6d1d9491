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
  const newAwards: [entryId: string, award: AwardScopes, points: number][] = [];
  const totals = new Totals();
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

/** A batch's changes to the totals: per scope × period × rider, points and the last position. */
class Totals {
  private readonly rows = new Map<string, [string, string, string, number, number]>();

  add(award: AwardScopes, points: number, position: number): void {
    for (const scope of award.scopes) {
      for (const period of award.periods) {
        const key = `${scope}\u0000${period}\u0000${award.riderId}`;
        const current = this.rows.get(key);
        this.rows.set(key, [award.riderId, scope, period, (current?.[3] ?? 0) + points, position]);
      }
    }
  }

  async write(q: SqlQuery, s: string): Promise<void> {
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
