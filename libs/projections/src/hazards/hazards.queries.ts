import { DUPLICATE_RADIUS_M, DUPLICATE_WINDOW_MS, type Location } from '@ledger/domain';
import type { Page, ReadDb } from '../read-db';
import { iso, num, pageByPosition } from '../read-db';

export interface HazardView {
  id: string;
  riderId: string;
  communityId: string;
  category: string;
  /** Written into the log by reports filed before descriptions were kept beside it. */
  description: string | null;
  /** The kept description, which the ledger looks up (erased with the rider's personal data). */
  descriptionTextId: string | null;
  location: Location;
  occurredAt: string;
  reportedAt: string;
  status: string;
  duplicateOf: string | null;
  severity: string | null;
  entryId: string | null;
  escalated: boolean;
}

interface HazardRow {
  hazard_id: string;
  rider_id: string;
  community_id: string;
  category: string;
  description_text_id: string | null;
  description: string | null;
  lat: number;
  lng: number;
  occurred_at: Date;
  reported_at: Date;
  status: string;
  duplicate_of: string | null;
  severity: string | null;
  entry_id: string | null;
  escalated: boolean;
  position: string | number;
}

export interface HazardFilter {
  readonly status?: string | undefined;
  readonly communityId?: string | undefined;
  /** Only these communities (the caller's scope); `undefined`: every community. */
  readonly communities?: readonly string[] | undefined;
  readonly limit: number;
  readonly cursor?: string | undefined;
}

export async function hazardOf(db: ReadDb, id: string): Promise<HazardView | undefined> {
  const { rows } = await db.query<HazardRow>(
    `select * from ${db.schema}.hazards where hazard_id = $1`,
    [id],
  );
  return rows[0] && hazardView(rows[0]);
}

/** Reports in filing order. */
export async function hazardPage(db: ReadDb, filter: HazardFilter): Promise<Page<HazardView>> {
  const { rows } = await db.query<HazardRow>(
    `select * from ${db.schema}.hazards
     where position > $1 and ($2::text is null or status = $2)
       and ($3::text is null or community_id = $3)
       and ($4::text[] is null or community_id = any($4::text[]))
     order by position limit $5`,
    [
      Number(filter.cursor ?? 0),
      filter.status ?? null,
      filter.communityId ?? null,
      filter.communities ?? null,
      filter.limit + 1,
    ],
  );
  return pageByPosition(rows, filter.limit, hazardView);
}

function hazardView(r: HazardRow): HazardView {
  return {
    id: r.hazard_id,
    riderId: r.rider_id,
    communityId: r.community_id,
    category: r.category,
    description: r.description,
    descriptionTextId: r.description_text_id,
    location: { lat: Number(r.lat), lng: Number(r.lng) },
    occurredAt: iso(r.occurred_at),
    reportedAt: iso(r.reported_at),
    status: r.status,
    duplicateOf: r.duplicate_of,
    severity: r.severity,
    entryId: r.entry_id,
    escalated: r.escalated,
  };
}

/** A report that is already filed, as the duplicate check sees it. */
export interface FiledReport {
  rider_id: string;
  category: string;
  status: string;
  duplicate_of: string | null;
  position: number;
}

/** What the duplicate check of a new report judges against, read in one snapshot. */
export interface Nearby {
  /** Filings of the category the read model holds: the filing states it (see the filing stream). */
  filings: number;
  /** The report itself when already filed (a retry). */
  existing: FiledReport | null;
  /** Open or confirmed reports of the category near in time and place. */
  candidates: { hazardId: string; location: Location; occurredAt: string }[];
}

/**
 * In one statement (one snapshot): the category's filings the read model holds, the report if
 * it exists, and the open or confirmed reports of the category near in time and place.
 */
export async function nearbyReports(
  db: ReadDb,
  report: { hazardId: string; category: string; location: Location; occurredAt: string },
): Promise<Nearby> {
  const s = db.schema;
  const dLat = (DUPLICATE_RADIUS_M * 1.5) / 111_000;
  const dLng = dLat / Math.max(0.01, Math.cos((report.location.lat * Math.PI) / 180));
  const { rows } = await db.query<{
    filings: string | number | null;
    existing: FiledReport | string | null;
    candidates:
      { hazardId: string; lat: number; lng: number; occurredAt: string }[] | string | null;
  }>(
    `select (select filings from ${s}.hazard_filings where category = $1) as filings,
       (select json_build_object('rider_id', rider_id, 'category', category, 'status', status,
          'duplicate_of', duplicate_of, 'position', position)
          from ${s}.hazards where hazard_id = $2) as existing,
       (select json_agg(json_build_object('hazardId', hazard_id, 'lat', lat, 'lng', lng,
          'occurredAt', occurred_at))
          from ${s}.hazards where category = $1 and status in ('submitted', 'confirmed')
            and lat between $3 and $4 and lng between $5 and $6
            and occurred_at between $7::timestamptz - make_interval(secs => $8)
                                and $7::timestamptz + make_interval(secs => $8)) as candidates`,
    [
      report.category,
      report.hazardId,
      report.location.lat - dLat,
      report.location.lat + dLat,
      report.location.lng - dLng,
      report.location.lng + dLng,
      report.occurredAt,
      DUPLICATE_WINDOW_MS / 1000,
    ],
  );
  const row = rows[0];
  const existing = parsed(row.existing);
  return {
    filings: num(row.filings ?? 0),
    existing: existing && { ...existing, position: num(existing.position) },
    candidates: (parsed(row.candidates) ?? []).map((c) => ({
      hazardId: c.hazardId,
      location: { lat: c.lat, lng: c.lng },
      occurredAt: iso(c.occurredAt),
    })),
  };
}

/** json comes back parsed from `pg` and as text from some drivers. */
function parsed<T>(value: T | string | null): T | null {
  return typeof value === 'string' ? (JSON.parse(value) as T) : value;
}

/** Reports still unverified and not escalated that were filed before `before`, oldest ids first. */
export async function unverifiedBefore(db: ReadDb, before: Date, limit: number): Promise<string[]> {
  const { rows } = await db.query<{ hazard_id: string }>(
    `select hazard_id from ${db.schema}.hazards
     where status = 'submitted' and not escalated and reported_at < $1 order by hazard_id limit $2`,
    [before.toISOString(), limit],
  );
  return rows.map((r) => r.hazard_id);
}
