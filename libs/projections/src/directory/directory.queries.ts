import type { ReadDb } from '../read-db';
import { iso, num, pageByKey, type Page } from '../read-db';

export interface CommunityView {
  id: string;
  name: string;
  street: string;
  district: string;
}

/** A rider as the directory and the balances hold it (never a name: that is personal data). */
export interface RiderRecord {
  id: string;
  communityId: string;
  platform: string;
  occupation: string;
  registeredAt: string;
  balance: number;
  badges: { id: string; name: string; earnedAt: string }[];
}

export async function communityById(db: ReadDb, id: string): Promise<CommunityView | undefined> {
  const { rows } = await db.query<{ name: string; street: string; district: string }>(
    `select name, street, district from ${db.schema}.communities where community_id = $1`,
    [id],
  );
  return rows[0] && { id, ...rows[0] };
}

/** The community a rider is in now; `undefined` for a rider the directory does not know. */
export async function riderCommunity(db: ReadDb, riderId: string): Promise<string | undefined> {
  const { rows } = await db.query<{ community_id: string }>(
    `select community_id from ${db.schema}.riders where rider_id = $1`,
    [riderId],
  );
  return rows[0]?.community_id;
}

/** The district a rider's community is in now; `undefined` for a rider the directory does not know. */
export async function riderDistrict(db: ReadDb, riderId: string): Promise<string | undefined> {
  const { rows } = await db.query<{ district: string }>(
    `select c.district from ${db.schema}.riders r
     join ${db.schema}.communities c using (community_id) where r.rider_id = $1`,
    [riderId],
  );
  return rows[0]?.district;
}

/** Stations' districts already read, per deployment: a station's district never changes. */
const stationDistricts = new WeakMap<ReadDb, Map<string, string>>();

/**
 * The districts these stations are in (a station principal serves riders of these). A station's
 * district is fixed when it is registered, so each is read once per process.
 */
export async function districtsOfStations(
  db: ReadDb,
  stationIds: readonly string[],
): Promise<string[]> {
  let known = stationDistricts.get(db);
  if (!known) stationDistricts.set(db, (known = new Map<string, string>()));
  const missing = stationIds.filter((id) => !known.has(id));
  if (missing.length > 0) {
    const { rows } = await db.query<{ station_id: string; district: string }>(
      `select station_id, district from ${db.schema}.stations where station_id = any($1::text[])`,
      [missing],
    );
    for (const r of rows) known.set(r.station_id, r.district);
  }
  const districts = new Set<string>();
  for (const id of stationIds) {
    const district = known.get(id);
    if (district !== undefined) districts.add(district);
  }
  return [...districts].sort();
}

/** The rider with balance and badges, read in one snapshot. */
export async function riderRecord(db: ReadDb, id: string): Promise<RiderRecord | undefined> {
  const s = db.schema;
  const found = await db.read(async (q) => {
    const rider = await q<{
      community_id: string;
      platform: string;
      occupation: string;
      registered_at: Date;
      balance: string | number;
    }>(
      `select r.community_id, r.platform, r.occupation, r.registered_at, b.balance
       from ${s}.riders r join ${s}.balances b using (rider_id) where r.rider_id = $1`,
      [id],
    );
    const badges = await q<{ badge_id: string; name: string; earned_at: Date }>(
      `select badge_id, name, earned_at from ${s}.rider_badges where rider_id = $1 order by earned_at, badge_id`,
      [id],
    );
    return { rider: rider.rows[0], badges: badges.rows };
  });
  const r = found.rider;
  if (!r) return undefined;
  return {
    id,
    communityId: r.community_id,
    platform: r.platform,
    occupation: r.occupation,
    registeredAt: iso(r.registered_at),
    balance: num(r.balance),
    badges: found.badges.map((b) => ({ id: b.badge_id, name: b.name, earnedAt: iso(b.earned_at) })),
  };
}

/** Communities by district, street and name (then id), optionally of a district or street only. */
export async function communityPage(
  db: ReadDb,
  filter: {
    district?: string | undefined;
    street?: string | undefined;
    /** Only these (the caller's scope); `undefined`: every community. */
    communities?: readonly string[] | undefined;
    limit: number;
    after?: (string | number)[] | undefined;
  },
): Promise<Page<CommunityView>> {
  const after = filter.after ?? null;
  const { rows } = await db.query<{
    community_id: string;
    name: string;
    street: string;
    district: string;
  }>(
    `select community_id, name, street, district from ${db.schema}.communities
     where ($1::text is null or district = $1) and ($2::text is null or street = $2)
       and ($3::text[] is null or community_id = any($3::text[]))
       and ($4::text[] is null or (district, street, name, community_id) > ($4[1], $4[2], $4[3], $4[4]))
     order by district, street, name, community_id limit $5`,
    [
      filter.district ?? null,
      filter.street ?? null,
      filter.communities ?? null,
      after,
      filter.limit + 1,
    ],
  );
  return pageByKey(
    rows,
    filter.limit,
    (r) => [r.district, r.street, r.name, r.community_id],
    (r) => ({ id: r.community_id, name: r.name, street: r.street, district: r.district }),
  );
}

/** Scopes found, per deployment (see `scopeExists`). */
const scopesSeen = new WeakMap<ReadDb, Set<string>>();
const SCOPES_REMEMBERED = 100_000;

/** Whether a leaderboard scope (`community:`, `street:`, `district:`) names a place the directory knows. */
export async function scopeExists(db: ReadDb, scope: string): Promise<boolean> {
  // A community is never removed nor moved once registered: a scope seen is there for good.
  let seen = scopesSeen.get(db);
  if (!seen) scopesSeen.set(db, (seen = new Set<string>()));
  if (seen.has(scope)) return true;
  const [kind, ...rest] = scope.split(':');
  const value = rest.join(':');
  const column = { community: 'community_id', street: 'street', district: 'district' }[kind];
  if (column === undefined) return false;
  const { rows } = await db.query(
    `select 1 from ${db.schema}.communities where ${column} = $1 limit 1`,
    [value],
  );
  if (rows.length > 0 && seen.size < SCOPES_REMEMBERED) seen.add(scope);
  return rows.length > 0;
}
