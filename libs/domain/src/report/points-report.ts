import type { LedgerEvent } from '../events';
import { atWallTime } from '../import/import-rows';

/** What a points report splits its rows by (issue 17). */
export const REPORT_GROUPS = ['community', 'street', 'activity', 'source'] as const;
export type ReportGroup = (typeof REPORT_GROUPS)[number];

/** A group's figures for a period: points awarded, reversed and redeemed, and riders active. */
export interface ReportFigures {
  /** Points of awards that happened in the period. */
  awarded: number;
  /** Points taken back by reversals made in the period (of awards of any time). */
  reversed: number;
  /** Points of redemptions made in the period, less those of cancellations made in it. */
  redeemed: number;
  /** Riders with at least one of those acts in the group and period. */
  riders: number;
}

export interface ReportRow extends ReportFigures {
  key: string;
}

/** A period's bounds: `YYYY` or `YYYY-MM`, from its first midnight to the next's, in `timeZone`. */
export function reportPeriod(
  period: string,
  timeZone: string,
): { from: Date; to: Date } | undefined {
  const m = /^(\d{4})(?:-(\d{2}))?$/.exec(period);
  if (!m) return undefined;
  const year = Number(m[1]);
  const month = m[2] === undefined ? undefined : Number(m[2]);
  if (year < 2000 || (month !== undefined && (month < 1 || month > 12))) return undefined;
  const first = (y: number, monthIndex: number) => atWallTime(Date.UTC(y, monthIndex, 1), timeZone);
  return month === undefined
    ? { from: first(year, 0), to: first(year + 1, 0) }
    : { from: first(year, month - 1), to: first(year, month) };
}

/** An event of the log as a report replays it: when its act happened (metadata, else recorded). */
export interface ReplayedEvent {
  readonly event: LedgerEvent;
  readonly occurredAt: string;
}

interface Line {
  riderId: string;
  type: 'award' | 'reversal' | 'redemption' | 'cancellation';
  points: number;
  communityId: string;
  activity?: string;
  source?: string;
  at: number;
}

/**
 * The points report replayed from the log alone (the auditor's check of the route, which reads the
 * ledger-lines read model): awards and reversals count in the community the points were earned
 * in, with the award's activity and source; redemptions and cancellations in the rider's
 * community when they were made; each act in the period it happened in. Rows by activity or
 * source hold awards and reversals only (a redemption has neither); `totals` hold every act.
 * `communities` limits it to theirs (a staff member's report).
 */
export function replayPointsReport(
  events: Iterable<ReplayedEvent>,
  query: {
    groupBy: ReportGroup;
    from: Date;
    to: Date;
    communities?: ReadonlySet<string>;
  },
): { rows: ReportRow[]; totals: ReportFigures } {
  const { lines, streets } = linesOf(events);
  const inScope = lines.filter(
    (l) =>
      l.at >= query.from.getTime() &&
      l.at < query.to.getTime() &&
      (query.communities === undefined || query.communities.has(l.communityId)),
  );
  const keyOf = (l: Line): string | undefined => {
    switch (query.groupBy) {
      case 'community':
        return l.communityId;
      case 'street':
        return streets.get(l.communityId) ?? '';
      case 'activity':
        return l.activity;
      case 'source':
        return l.source;
    }
  };
  const groups = new Map<string, Line[]>();
  for (const line of inScope) {
    const by = query.groupBy === 'activity' || query.groupBy === 'source';
    if (by && (line.type === 'redemption' || line.type === 'cancellation')) continue;
    const key = keyOf(line) ?? '';
    const group = groups.get(key);
    if (group) group.push(line);
    else groups.set(key, [line]);
  }
  const rows = [...groups]
    .sort(([a], [b]) => byKey(a, b))
    .map(([key, group]) => ({ key, ...figuresOf(group) }));
  return { rows, totals: figuresOf(inScope) };
}

/** The ledger lines a replay of the log gives, and each community's street. */
function linesOf(events: Iterable<ReplayedEvent>): { lines: Line[]; streets: Map<string, string> } {
  const streets = new Map<string, string>();
  const riderCommunity = new Map<string, string>();
  const awards = new Map<string, { activity: string; source: string; communityId: string }>();
  const lines: Line[] = [];
  for (const { event, occurredAt } of events) {
    const at = Date.parse(occurredAt);
    switch (event.type) {
      case 'CommunityRegistered':
        streets.set(event.data.communityId, event.data.street);
        break;
      case 'RiderRegistered':
        riderCommunity.set(event.data.riderId, event.data.communityId);
        break;
      case 'RiderTransferred':
        riderCommunity.set(event.data.riderId, event.data.toCommunityId);
        break;
      case 'PointsAwarded': {
        const { activity, source, communityId } = event.data;
        awards.set(event.data.entryId, { activity, source, communityId });
        lines.push({ ...lineOf(event.data, 'award', event.data.points, at), activity, source });
        break;
      }
      case 'AwardReversed': {
        // Where its award's points were earned, whatever the rider's community is now.
        const award = awards.get(event.data.reversalOf);
        lines.push({ ...lineOf(event.data, 'reversal', event.data.points, at), ...award });
        break;
      }
      case 'RedemptionMade':
      case 'RedemptionCancelled': {
        const communityId = riderCommunity.get(event.data.riderId) ?? '';
        const type = event.type === 'RedemptionMade' ? 'redemption' : 'cancellation';
        const points = type === 'redemption' ? event.data.points : -event.data.points;
        lines.push({ riderId: event.data.riderId, type, points, communityId, at });
        break;
      }
      default:
        break;
    }
  }
  return { lines, streets };
}

function lineOf(
  d: { riderId: string; communityId: string },
  type: 'award' | 'reversal',
  points: number,
  at: number,
): Line {
  return { riderId: d.riderId, type, points, communityId: d.communityId, at };
}

function figuresOf(lines: readonly Line[]): ReportFigures {
  const sum = (types: Line['type'][]) =>
    lines.filter((l) => types.includes(l.type)).reduce((s, l) => s + l.points, 0);
  return {
    awarded: sum(['award']),
    reversed: sum(['reversal']),
    redeemed: sum(['redemption', 'cancellation']),
    riders: new Set(lines.map((l) => l.riderId)).size,
  };
}

/** The order of a report's rows: by key, code unit by code unit (the same in every database). */
export function byKey(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
