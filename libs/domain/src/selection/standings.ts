import type { LedgerEvent } from '../events';
import { periodOfYear } from './year';
import type { Winner } from './selection';

interface Standing {
  points: number;
  reachedPosition: number;
}

/**
 * A district's standings for a calendar year, folded from the log in order: earned points net of
 * reversals, by `occurredAt` in the time zone, in the district of the community each award was
 * earned in. The same rules as the leaderboard read model, as a pure fold, so a selection can be
 * recomputed from the log alone.
 */
export class DistrictYearStandings {
  private readonly districtOf = new Map<string, string>();
  private readonly counted = new Map<string, { riderId: string; points: number }>();
  private readonly standings = new Map<string, Standing>();

  constructor(
    private readonly district: string,
    private readonly year: number,
    private readonly timeZone: string,
  ) {}

  apply(event: LedgerEvent, position: number): void {
    switch (event.type) {
      case 'CommunityRegistered':
        this.districtOf.set(event.data.communityId, event.data.district);
        break;
      case 'PointsAwarded': {
        const d = event.data;
        if (this.districtOf.get(d.communityId) !== this.district) break;
        if (periodOfYear(new Date(d.occurredAt), this.timeZone) !== this.year) break;
        this.counted.set(d.entryId, { riderId: d.riderId, points: d.points });
        this.add(d.riderId, d.points, position);
        break;
      }
      case 'AwardReversed': {
        const award = this.counted.get(event.data.reversalOf);
        if (award) this.add(award.riderId, -event.data.points, position);
        break;
      }
      default:
        break;
    }
  }

  /** Points desc, then who reached the total first (lower position), then rider id. */
  top(size: number): Winner[] {
    return [...this.standings.entries()]
      .filter(([, s]) => s.points > 0)
      .sort(
        ([a, x], [b, y]) =>
          y.points - x.points ||
          x.reachedPosition - y.reachedPosition ||
          (a < b ? -1 : a > b ? 1 : 0),
      )
      .slice(0, size)
      .map(([riderId, s], i) => ({ rank: i + 1, riderId, points: s.points }));
  }

  private add(riderId: string, points: number, position: number): void {
    const current = this.standings.get(riderId) ?? { points: 0, reachedPosition: position };
    this.standings.set(riderId, { points: current.points + points, reachedPosition: position });
  }
}
