import type { EventStore } from '@ledger/event-store';
import type { ReadModels } from './read-models';

/** Counting lag stops here: "at least this many" is all a health check needs. */
export const MAX_COUNTED_LAG = 10_000;

/** Events each projection still has to apply (counted up to MAX_COUNTED_LAG). */
export async function projectionLag(
  models: ReadModels,
  store: EventStore,
): Promise<Record<string, number>> {
  const lag: Record<string, number> = {};
  for (const checkpoint of await models.checkpoints()) {
    let behind = 0;
    let cursor = checkpoint.cursor;
    while (behind < MAX_COUNTED_LAG) {
      const page = await store.readAll({ after: cursor, limit: 1000 });
      if (page.events.length === 0) break;
      behind += page.events.length;
      cursor = page.cursor;
    }
    lag[checkpoint.projection] = Math.min(behind, MAX_COUNTED_LAG);
  }
  return lag;
}
