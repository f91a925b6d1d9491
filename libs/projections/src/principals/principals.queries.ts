import type { ReadDb } from '../read-db';

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
