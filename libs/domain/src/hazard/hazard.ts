import { say } from '../shared/said';
import type { EventText } from '../shared/kept-text';
import type { Decider } from '../shared/decider';
import type { Severity } from '../rules/rules';
import { assertNever, DomainError, type Decision } from '../shared/domain-error';

/** api.md: a report of the same category this close … */
export const DUPLICATE_RADIUS_M = 50;
/** … to one still open or confirmed within this long is a duplicate. */
export const DUPLICATE_WINDOW_MS = 24 * 3600 * 1000;

export type Location = {
  lat: number;
  lng: number;
};

/** The report as filed: who, what, where, when, and whether it duplicates an earlier one. */
export type HazardReport = {
  hazardId: string;
  riderId: string;
  communityId: string;
  category: string;
  /** Kept erasable beside the log since version 2 (free text: it may name or call someone). */
  description: EventText;
  location: Location;
  occurredAt: string;
  status: 'submitted' | 'duplicate';
  duplicateOf?: string;
};

/**
 * Reports of one category are filed on one stream (`hazards-{category}`), so two reports of the
 * same hazard cannot both be judged originals: the filer states how many filings the read model
 * it judged against had seen, and the stream refuses when that is not all of them.
 */
export type HazardFilingEvent = { type: 'HazardReported'; data: HazardReport };

export type HazardFilingCommand = {
  type: 'FileHazardReport';
  /** Filings of this category the read model held when the duplicate check ran. */
  seenFilings: number;
  report: HazardReport;
};

export interface HazardFilingState {
  filings: number;
  readonly ids: Set<string>;
}

/** The read model was behind the filings: judge again once it has caught up. */
export const STALE_FILING = say`the duplicate check ran against an older read model`;

export const hazardFilingDecider = {
  initialState: (): HazardFilingState => ({ filings: 0, ids: new Set() }),

  evolve(state: HazardFilingState, event: HazardFilingEvent): HazardFilingState {
    state.filings++;
    state.ids.add(event.data.hazardId);
    return state;
  },

  decide(command: HazardFilingCommand, state: HazardFilingState): Decision<HazardFilingEvent> {
    if (state.ids.has(command.report.hazardId)) return []; // this very report, filed before
    if (command.seenFilings !== state.filings)
      return new DomainError('CONCURRENCY_CONFLICT', STALE_FILING);
    return [{ type: 'HazardReported', data: command.report }];
  },
} satisfies Decider<HazardFilingCommand, HazardFilingEvent, HazardFilingState>;

/** The life of one report after filing (`hazard-{id}`): verified once, escalated when left waiting. */
export type HazardEvent =
  | {
      type: 'HazardVerified';
      data: {
        hazardId: string;
        riderId: string;
        outcome: 'confirmed' | 'rejected';
        severity?: Severity;
        fundId?: string;
        /** The award the confirmation made. */
        entryId?: string;
        note: string;
      };
    }
  | { type: 'HazardEscalated'; data: { hazardId: string; waitedHours: number } };

export type HazardCommand =
  | ({ type: 'VerifyHazard' } & Extract<HazardEvent, { type: 'HazardVerified' }>['data'])
  | { type: 'EscalateHazard'; hazardId: string; waitedHours: number };

export interface HazardState {
  verified?: Extract<HazardEvent, { type: 'HazardVerified' }>['data'];
  escalated: boolean;
}

export const hazardDecider = {
  initialState: (): HazardState => ({ escalated: false }),

  evolve(state: HazardState, event: HazardEvent): HazardState {
    switch (event.type) {
      case 'HazardVerified':
        state.verified = event.data;
        break;
      case 'HazardEscalated':
        state.escalated = true;
        break;
      default:
        assertNever(event);
    }
    return state;
  },

  decide(command: HazardCommand, state: HazardState): Decision<HazardEvent> {
    switch (command.type) {
      case 'VerifyHazard': {
        const { type: _type, ...data } = command;
        if (state.verified) {
          const same =
            state.verified.outcome === data.outcome && state.verified.entryId === data.entryId;
          return same
            ? [] // the same verification, retried
            : new DomainError(
                'ALREADY_VERIFIED',
                say`hazard ${command.hazardId} was already verified`,
              );
        }
        return [{ type: 'HazardVerified', data }];
      }
      case 'EscalateHazard':
        if (state.verified || state.escalated) return [];
        return [
          {
            type: 'HazardEscalated',
            data: { hazardId: command.hazardId, waitedHours: command.waitedHours },
          },
        ];
      default:
        return assertNever(command);
    }
  },
} satisfies Decider<HazardCommand, HazardEvent, HazardState>;

/** Great-circle distance in metres (haversine; the earth as a sphere is ample at 50 m). */
export function distanceM(a: Location, b: Location): number {
  const rad = Math.PI / 180;
  const dLat = (b.lat - a.lat) * rad;
  const dLng = (b.lng - a.lng) * rad;
  const h =
    Math.sin(dLat / 2) ** 2 +
    Math.cos(a.lat * rad) * Math.cos(b.lat * rad) * Math.sin(dLng / 2) ** 2;
  return 2 * 6_371_000 * Math.asin(Math.min(1, Math.sqrt(h)));
}

/**
 * The earlier report this one duplicates: same category (the caller's candidates), still open or
 * confirmed, within 50 m and 24 hours; the nearest, then the earliest, when several are.
 */
export function duplicateOf(
  report: { location: Location; occurredAt: string },
  candidates: readonly { hazardId: string; location: Location; occurredAt: string }[],
): string | undefined {
  const at = Date.parse(report.occurredAt);
  const near = candidates
    .filter((c) => Math.abs(Date.parse(c.occurredAt) - at) <= DUPLICATE_WINDOW_MS)
    .map((c) => ({ c, d: distanceM(report.location, c.location) }))
    .filter(({ d }) => d <= DUPLICATE_RADIUS_M)
    .sort((x, y) => x.d - y.d || Date.parse(x.c.occurredAt) - Date.parse(y.c.occurredAt));
  return near[0]?.c.hazardId;
}
