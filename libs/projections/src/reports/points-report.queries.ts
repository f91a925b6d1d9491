import { byKey, type ReportFigures, type ReportGroup, type ReportRow } from '@ledger/domain';
import { num, type ReadDb } from '../read-db';

/** What a points report asks: its grouping, its period's bounds, and whose communities. */
export interface PointsReportQuery {
  readonly groupBy: ReportGroup;
  readonly from: Date;
  readonly to: Date;
  /** A staff member's communities; every community when absent. */
  readonly communities?: readonly string[];
}

interface FiguresRow {
  key: string | null;
  awarded: string | number;
  reversed: string | number;
  redeemed: string | number;
  riders: string | number;
}

/** The key of a line, by grouping: the line's community, its street, its award's activity or source. */
const KEYS: Readonly<Record<ReportGroup, string>> = {
  community: 'l.community_id',
  street: "coalesce(c.street, '')",
  activity: 'l.activity',
  source: 'l.source',
};

/**
 * The points report from the ledger-lines read model, equal to `replayPointsReport` over the log:
 * each line counts in the period its act happened in (`occurred_at`) and in the community the
 * projection gave it; a reversal takes its award's activity and source. One snapshot, two
 * statements (the rows, then the totals over every line).
 */
export async function pointsReport(
  db: ReadDb,
  query: PointsReportQuery,
): Promise<{ rows: ReportRow[]; totals: ReportFigures }> {
  const s = db.schema;
  // A reversal takes its award's community, activity and source (the rider may have moved since).
  const lines = `with raw as (
      select l.rider_id, l.type, l.points,
        case when l.type = 'reversal' then coalesce(a.community_id, l.community_id)
          else l.community_id end as community_id,
        case when l.type = 'reversal' then a.activity else l.activity end as activity,
        case when l.type = 'reversal' then a.source else l.source end as source
      from ${s}.ledger_lines l
      left join ${s}.ledger_lines a
        on l.type = 'reversal' and a.type = 'award' and a.entry_id = l.reversal_of
      where l.occurred_at >= $1 and l.occurred_at < $2),
    l as (select * from raw where $3::text[] is null or community_id = any($3::text[]))`;
  const figures = `coalesce(sum(l.points) filter (where l.type = 'award'), 0) as awarded,
      coalesce(-sum(l.points) filter (where l.type = 'reversal'), 0) as reversed,
      coalesce(-sum(l.points) filter (where l.type in ('redemption', 'cancellation')), 0) as redeemed,
      count(distinct l.rider_id) as riders`;
  const byAct = query.groupBy === 'activity' || query.groupBy === 'source';
  const params = [query.from, query.to, query.communities ?? null];
  return db.read(async (q) => {
    const grouped = await q<FiguresRow>(
      `${lines}
       select ${KEYS[query.groupBy]} as key, ${figures}
       from l left join ${s}.communities c on c.community_id = l.community_id
       ${byAct ? "where l.type in ('award', 'reversal')" : ''}
       group by 1`,
      params,
    );
    const total = await q<FiguresRow>(`${lines} select null as key, ${figures} from l`, params);
    const rows = grouped.rows
      .map((r) => ({ key: r.key ?? '', ...figuresOf(r) }))
      .sort((a, b) => byKey(a.key, b.key));
    return { rows, totals: figuresOf(total.rows[0]) };
  });
}

function figuresOf(r: FiguresRow | undefined): ReportFigures {
  return {
    awarded: num(r?.awarded ?? 0),
    reversed: num(r?.reversed ?? 0),
    redeemed: num(r?.redeemed ?? 0),
    riders: num(r?.riders ?? 0),
  };
}
