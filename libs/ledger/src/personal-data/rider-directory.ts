import type { Page, ReadDb } from '@ledger/projections';
import { iso, pageByKey } from '@ledger/projections';
import { PERSONAL_DATA_TABLE, phoneKeySql } from './personal-data.store';

/** A rider as a list shows it: the directory's record and the name (null once erased). */
export interface RiderListItem {
  id: string;
  communityId: string;
  name: string | null;
  platform: string;
  occupation: string;
  registeredAt: string;
}

export interface RiderFilter {
  /** Only riders of these communities (a filter and the caller's scope); `undefined`: all. */
  readonly communities?: readonly string[] | undefined;
  /** Only riders of communities in these districts (a station's); `undefined`: all. */
  readonly districts?: readonly string[] | undefined;
  /** A whole phone number, or (unless `byName` is false) the start of a name. */
  readonly q?: string | undefined;
  readonly byName?: boolean;
  readonly limit: number;
  readonly after?: (string | number)[] | undefined;
}

/**
 * Riders by id with their names: the directory read model beside the personal-data table (both
 * in the SQL database beside the log). `q` matches personal data only, so an erased rider is found
 * by its id alone.
 */
export async function riderDirectoryPage(
  db: ReadDb,
  filter: RiderFilter,
): Promise<Page<RiderListItem>> {
  const q = filter.q ?? null;
  const prefix =
    q === null || filter.byName === false ? null : `${q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
  const { rows } = await db.query<{
    rider_id: string;
    community_id: string;
    name: string | null;
    platform: string;
    occupation: string;
    registered_at: Date;
  }>(
    `select r.rider_id, r.community_id, p.name, r.platform, r.occupation, r.registered_at
     from ${db.schema}.riders r left join ${PERSONAL_DATA_TABLE} p using (rider_id)
     where ($1::text[] is null or r.community_id = any($1::text[]))
       and ($2::text is null or p.phone_key = ${phoneKeySql('$2::text')} or p.name like $3)
       and ($4::text is null or r.rider_id > $4)
       and ($6::text[] is null or r.community_id in
         (select community_id from ${db.schema}.communities where district = any($6::text[])))
     order by r.rider_id limit $5`,
    [
      filter.communities ?? null,
      q,
      prefix,
      filter.after?.[0] ?? null,
      filter.limit + 1,
      filter.districts ?? null,
    ],
  );
  return pageByKey(
    rows,
    filter.limit,
    (r) => [r.rider_id],
    (r) => ({
      id: r.rider_id,
      communityId: r.community_id,
      name: r.name,
      platform: r.platform,
      occupation: r.occupation,
      registeredAt: iso(r.registered_at),
    }),
  );
}

/**
 * The rider of a district (as the directory places riders: transfers included) whose phone is
 * this number, other than `riderId`. Riders the directory has not projected yet are the unique
 * index's to catch (their reservation holds the district).
 */
export async function phoneHeldInDistrict(
  db: ReadDb,
  claim: { readonly district: string; readonly phone: string; readonly riderId: string },
): Promise<string | undefined> {
  const { rows } = await db.query<{ rider_id: string }>(
    `select p.rider_id from ${PERSONAL_DATA_TABLE} p
     join ${db.schema}.riders r using (rider_id)
     join ${db.schema}.communities c on c.community_id = r.community_id
     where p.phone_key = ${phoneKeySql('$1::text')} and p.rider_id <> $2 and c.district = $3
     order by p.rider_id limit 1`,
    [claim.phone, claim.riderId, claim.district],
  );
  return rows[0]?.rider_id;
}
