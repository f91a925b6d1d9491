import { pageByKey, type Page, type ReadDb } from '../read-db';

/**
 * A principal as an admin lists it: never its token or the token's hash. `name` is the name
 * written into the log before names were kept beside it; otherwise `nameTextId` names the kept
 * text, which the ledger looks up (`null` once erased).
 */
export interface PrincipalView {
  id: string;
  name: string | null;
  nameTextId: string | null;
  role: string;
  communityIds: string[];
  stationIds: string[];
  riderId: string | null;
  revoked: boolean;
}

interface PrincipalRow {
  principal_id: string;
  name: string | null;
  name_text_id: string | null;
  role: string;
  community_ids: string[];
  station_ids: string[];
  rider_id: string | null;
  revoked: boolean;
}

const PRINCIPAL_COLUMNS =
  'principal_id, name, name_text_id, role, community_ids, station_ids, rider_id, revoked';

export async function principalById(db: ReadDb, id: string): Promise<PrincipalView | undefined> {
  const { rows } = await db.query<PrincipalRow>(
    `select ${PRINCIPAL_COLUMNS} from ${db.schema}.principals where principal_id = $1`,
    [id],
  );
  return rows[0] && principalView(rows[0]);
}

/** The principals of these ids (one read; ids the ledger does not know are left out). */
export async function principalsByIds(
  db: ReadDb,
  ids: readonly string[],
): Promise<PrincipalView[]> {
  if (ids.length === 0) return [];
  const { rows } = await db.query<PrincipalRow>(
    `select ${PRINCIPAL_COLUMNS} from ${db.schema}.principals where principal_id = any($1::text[])`,
    [[...new Set(ids)]],
  );
  return rows.map(principalView);
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
    nameTextId: r.name_text_id,
    role: r.role,
    communityIds: r.community_ids,
    stationIds: r.station_ids,
    riderId: r.rider_id,
    revoked: r.revoked,
  };
}
