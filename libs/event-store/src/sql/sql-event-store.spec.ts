import { setMaxListeners } from 'node:events';
import { openEmbeddedDatabase } from '../embedded/pglite.event-store';
import { newEvent } from '../contract/event-store.contract';
import { NO_STREAM, type StoredEvent } from '../event-store.port';
import { classifyPgError } from './pg-errors';
import type { SqlClient } from './sql-client';
import { SqlEventStore } from './sql-event-store';

const SUBSCRIBERS = 11; // the projections of one process
const POLL_MS = 20;

/** `client`, counting the statements that read the log's head and its pages. */
function counting(client: SqlClient) {
  const counts = { head: 0, pages: 0 };
  const wrapped: SqlClient = {
    ...client,
    query: (text, params) => {
      if (/order by transaction_id desc/.test(text)) counts.head++;
      else if (/order by transaction_id, global_position/.test(text)) counts.pages++;
      return client.query(text, params);
    },
  };
  return { wrapped, counts };
}

describe('subscriptions of one SQL store', () => {
  it('share one poll of the head and one read of each page, and hear other processes', async () => {
    const { events: other, sql } = await openEmbeddedDatabase({ dataDir: 'memory://' });
    const { wrapped, counts } = counting(sql);
    // A second store on the same database: the first one's appends are another process's to it.
    const store = await SqlEventStore.open(wrapped, {
      kind: 'embedded',
      schema: 'ledger',
      pollIntervalMs: POLL_MS,
      classifyError: classifyPgError,
    });
    const stop = new AbortController();
    setMaxListeners(SUBSCRIBERS + 5, stop.signal);
    const heard: StoredEvent[][] = Array.from({ length: SUBSCRIBERS }, () => []);
    const following = heard.map(async (into) => {
      for await (const event of store.subscribe({ signal: stop.signal })) into.push(event);
    });
    try {
      await new Promise((r) => setTimeout(r, 500));
      // About one head poll per interval for all of them (eleven each without sharing: ~275).
      expect(counts.head).toBeLessThan(500 / POLL_MS + 10);
      const pagesBefore = counts.pages;
      await other.append('rider-r1', [newEvent('PointsAwarded', { points: 5 })], {
        expectedRevision: NO_STREAM,
      });
      const deadline = Date.now() + 2000;
      while (heard.some((h) => h.length === 0) && Date.now() < deadline)
        await new Promise((r) => setTimeout(r, 10));
      expect(heard.map((h) => h.map((e) => e.streamName))).toEqual(
        Array.from({ length: SUBSCRIBERS }, () => ['rider-r1']),
      );
      // The page holding the new event was read once for all (plus the empty reads after it).
      const pagesWithEvents = counts.pages - pagesBefore;
      expect(pagesWithEvents).toBeLessThanOrEqual(3);
    } finally {
      stop.abort();
      await Promise.all(following);
      await store.close();
      await other.close().catch(() => undefined);
    }
  });
});
