import { byKey, type HazardFigures, type HazardRow } from '@ledger/domain';
import { num, type ReadDb } from '../read-db';

interface Row {
  category: string | null;
  reported: string | number;
  duplicates: string | number;
  waiting: string | number;
  rejected: string | number;
  minor: string | number;
  moderate: string | number;
  major: string | number;
}

/**
 * Hazard reports that happened in [from, to), by category, as the `hazards` read model holds them
 * now: equal to `replayHazardsReport` over the log. One snapshot: the rows, then the totals.
 */
export async function hazardsReport(
  db: ReadDb,
  query: { from: Date; to: Date; communities?: readonly string[] },
): Promise<{ rows: HazardRow[]; totals: HazardFigures }> {
  const figures = `count(*) as reported,
      count(*) filter (where status = 'duplicate') as duplicates,
      count(*) filter (where status = 'submitted') as waiting,
      count(*) filter (where status = 'rejected') as rejected,
      count(*) filter (where status = 'confirmed' and coalesce(severity, 'minor') = 'minor') as minor,
      count(*) filter (where status = 'confirmed' and severity = 'moderate') as moderate,
      count(*) filter (where status = 'confirmed' and severity = 'major') as major`;
  const where = `from ${db.schema}.hazards where occurred_at >= $1 and occurred_at < $2
      and ($3::text[] is null or community_id = any($3::text[]))`;
  const params = [query.from, query.to, query.communities ?? null];
  return db.read(async (q) => {
    const grouped = await q<Row>(`select category, ${figures} ${where} group by category`, params);
    const total = await q<Row>(`select null as category, ${figures} ${where}`, params);
    return {
      rows: grouped.rows
        .map((r) => ({ category: r.category ?? '', ...figuresOf(r) }))
        .sort((a, b) => byKey(a.category, b.category)),
      totals: figuresOf(total.rows[0]),
    };
  });
}

function figuresOf(r: Row | undefined): HazardFigures {
  const n = (v: string | number | undefined) => num(v ?? 0);
  return {
    reported: n(r?.reported),
    duplicates: n(r?.duplicates),
    waiting: n(r?.waiting),
    rejected: n(r?.rejected),
    minor: n(r?.minor),
    moderate: n(r?.moderate),
    major: n(r?.major),
  };
}
