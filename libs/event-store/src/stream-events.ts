import type { EventStore, StoredEvent } from './event-store.port';

/**
 * Every event of a stream from `fromRevision` on, read page by page as they are consumed: a
 * stream of any length in bounded memory. Ends at the first empty page.
 */
export async function* streamEvents(
  store: Pick<EventStore, 'readStream'>,
  stream: string,
  fromRevision = 0,
): AsyncGenerator<StoredEvent> {
  for (let from = fromRevision; ;) {
    const page = await store.readStream(stream, { fromRevision: from });
    if (page.length === 0) return;
    yield* page;
    from = page[page.length - 1].revision + 1;
  }
}
