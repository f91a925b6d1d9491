import type { EventStore, StoredEvent } from '@ledger/event-store';

/** Every event of the store's log, in order (for tests: reads it all into memory). */
export async function allEvents(store: EventStore): Promise<StoredEvent[]> {
  const out: StoredEvent[] = [];
  for (let cursor = ''; ;) {
    const page = await store.readAll({ after: cursor });
    if (page.events.length === 0) return out;
    out.push(...page.events);
    cursor = page.cursor;
  }
}
