import type { LeaderboardRow } from '@ledger/projections';
import type { PersonalDataStore } from './personal-data.store';

/** A place on a board with the rider's display name (`null` once erased; the id always). */
export type NamedRow = { rank: number; riderId: string; name: string | null; points: number };

/** The rows with each rider's name beside its id, looked up at read time (never in the log). */
export async function named(
  personalData: PersonalDataStore,
  rows: readonly LeaderboardRow[],
): Promise<NamedRow[]> {
  const names = await personalData.namesOf(rows.map((r) => r.riderId));
  return rows.map(({ rank, riderId, points }) => ({
    rank,
    riderId,
    name: names.get(riderId) ?? null,
    points,
  }));
}
