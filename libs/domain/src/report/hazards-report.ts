import type { ReplayedEvent } from './points-report';
import { byKey } from './points-report';

/** Hazard reports (随手拍) of a category in a period, by where they stand now (issue 17). */
export interface HazardFigures {
  /** Every report filed, duplicates included. */
  reported: number;
  /** Filed within 50 m and 24 h of an open or confirmed one: earn nothing. */
  duplicates: number;
  /** Not verified yet. */
  waiting: number;
  rejected: number;
  /** Confirmed, by the severity the verifier graded. */
  minor: number;
  moderate: number;
  major: number;
}

export interface HazardRow extends HazardFigures {
  category: string;
}

const ZERO: HazardFigures = {
  reported: 0,
  duplicates: 0,
  waiting: 0,
  rejected: 0,
  minor: 0,
  moderate: 0,
  major: 0,
};

/**
 * The hazards report replayed from the log (the check of the route, which reads the `hazards`
 * read model): reports that happened in the period (`occurredAt`), in `communities` when given,
 * each counted once, by its state after every event of the log.
 */
export function replayHazardsReport(
  events: Iterable<Pick<ReplayedEvent, 'event'>>,
  query: { from: Date; to: Date; communities?: ReadonlySet<string> },
): { rows: HazardRow[]; totals: HazardFigures } {
  const reports = new Map<string, { category: string; state: keyof HazardFigures }>();
  for (const { event } of events) {
    if (event.type === 'HazardReported') {
      const d = event.data;
      const at = Date.parse(d.occurredAt);
      const inScope = query.communities === undefined || query.communities.has(d.communityId);
      if (at >= query.from.getTime() && at < query.to.getTime() && inScope)
        reports.set(d.hazardId, {
          category: d.category,
          state: d.status === 'duplicate' ? 'duplicates' : 'waiting',
        });
    } else if (event.type === 'HazardVerified') {
      const report = reports.get(event.data.hazardId);
      if (report)
        report.state =
          event.data.outcome === 'rejected' ? 'rejected' : (event.data.severity ?? 'minor');
    }
  }
  const rows = new Map<string, HazardFigures>();
  const totals = { ...ZERO };
  for (const { category, state } of reports.values()) {
    const row = rows.get(category) ?? { ...ZERO };
    for (const figures of [row, totals]) {
      figures.reported++;
      figures[state]++;
    }
    rows.set(category, row);
  }
  return {
    rows: [...rows]
      .sort(([a], [b]) => byKey(a, b))
      .map(([category, figures]) => ({ category, ...figures })),
    totals,
  };
}
