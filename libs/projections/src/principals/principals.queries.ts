import { pageByKey, type Page, type ReadDb } from '../read-db';

/** A principal as authentication needs it (its token hash, to compare in constant time). */
export interface PrincipalRecord {
  principalId: string;
  role: string;
  communityIds: string[];
  stationIds: string[];
  riderId: string | null;
  tokenHash: string;
}

/** The principal whose token hashes to `hash`, unless revoked. */
export async function principalByTokenHash(
  db: ReadDb,
  hash: string,
): Promise<PrincipalRecord | undefined> {
  const { rows } = await db.query<{
    principal_id: string;
    role: string;
    community_ids: string[];
    station_ids: string[];
    rider_id: string | null;
    token_hash: string;
  }>(
    `select principal_id, role, community_ids, station_ids, rider_id, token_hash
     from ${db.schema}.principals where token_hash = $1 and not revoked`,
    [hash],
  );
  const r = rows[0];
  return (
    r && {
      principalId: r.principal_id,
      role: r.role,
      communityIds: r.community_ids,
      stationIds: r.station_ids,
      riderId: r.rider_id,
      tokenHash: r.token_hash,
    }
  );
}

/** A principal as an admin lists it: never its token or the token's hash. */
export interface PrincipalView {
  id: string;
  name: string;
  role: string;
  communityIds: string[];
  stationIds: string[];
  riderId: string | null;
  revoked: boolean;
}

interface PrincipalRow {
  principal_id: string;
  name: string;
  role: string;
  community_ids: string[];
  station_ids: string[];
  rider_id: string | null;
  revoked: boolean;
}

const PRINCIPAL_COLUMNS = 'principal_id, name, role, community_ids, station_ids, rider_id, revoked';

export async function principalById(db: ReadDb, id: string): Promise<PrincipalView | undefined> {
  const { rows } = await db.query<PrincipalRow>(
    `select ${PRINCIPAL_COLUMNS} from ${db.schema}.principals where principal_id = $1`,
    [id],
  );
  return rows[0] && principalView(rows[0]);
}

/** Principals by id, optionally of one role. */
export async function principalPage(
  db: ReadDb,
  filter: { role?: string | undefined; limit: number; after?: (string | number)[] | undefined },
): Promise<Page<PrincipalView>> {
  const { rows } = await db.query<PrincipalRow>(
    `select ${PRINCIPAL_COLUMNS} from ${db.schema}.principals
     where ($1::text is null or role = $1) and ($2::text is null or principal_id > $2)
     order by principal_id limit $3`,
    [filter.role ?? null, filter.after?.[0] ?? null, filter.limit + 1],
  );
  return pageByKey(rows, filter.limit, (r) => [r.principal_id], principalView);
}

function principalView(r: PrincipalRow): PrincipalView {
  return {
    id: r.principal_id,
    name: r.name,
    role: r.role,
    communityIds: r.community_ids,
    stationIds: r.station_ids,
    riderId: r.rider_id,
    revoked: r.revoked,
  };
}
