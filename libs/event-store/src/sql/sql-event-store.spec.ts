import { setMaxListeners } from 'node:events';
import { openEmbeddedDatabase } from '../embedded/pglite.event-store';
import { newEvent } from '../contract/event-store.contract';
import { DuplicateEventId, StoreUnavailable } from '../event-store.errors';
import { NO_STREAM, type StoredEvent } from '../event-store.port';
import { classifyPgError } from './pg-errors';
import type { SqlClient } from './sql-client';
import { SqlEventStore } from './sql-event-store';

const SUBSCRIBERS = 11; // the projections of one process
const POLL_MS = 20;

/** A second store on an embedded database, as another process would open it. */
function secondStore(client: SqlClient): Promise<SqlEventStore> {
  return SqlEventStore.open(client, {
    kind: 'embedded',
    schema: 'ledger',
    pollIntervalMs: POLL_MS,
    classifyError: classifyPgError,
    appendsAtOnce: 1,
  });
}

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
    const store = await secondStore(wrapped);
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

describe('appends of one SQL store made at once', () => {
  /** A store whose append statements are counted, and can be made to fail. */
  async function storeCountingAppends(fail?: (text: string) => Error | undefined) {
    const { events: other, sql } = await openEmbeddedDatabase({ dataDir: 'memory://' });
    const counts = { alone: 0, grouped: 0, appends: [] as number[] };
    const wrapped: SqlClient = {
      ...sql,
      query: (text, params) => {
        if (text.includes('.append_many(')) {
          counts.grouped++;
          counts.appends.push((JSON.parse(String(params?.[0])) as unknown[]).length);
        } else if (text.includes('.append_to_stream(')) counts.alone++;
        const failure = fail?.(text);
        return failure ? Promise.reject(failure) : sql.query(text, params);
      },
    };
    const store = await secondStore(wrapped);
    const close = async () => {
      await store.close(); // the same database as `other`: closing one closes it
      await other.close().catch(() => undefined);
    };
    return { store, counts, close };
  }

  it('go to the store together, one transaction for those that wait', async () => {
    const { store, counts, close } = await storeCountingAppends();
    try {
      const results = await Promise.all(
        Array.from({ length: 30 }, (_, i) =>
          store.append(`rider-g${i}`, [newEvent()], { expectedRevision: NO_STREAM }),
        ),
      );
      expect(results.map((r) => r.nextExpectedRevision)).toEqual(Array(30).fill(0));
      // The first alone (nothing was running), the other 29 in one group.
      expect(counts).toMatchObject({ alone: 1, grouped: 1, appends: [29] });
      expect(new Set(results.slice(1).map((r) => r.cursor.split(':')[0])).size).toBe(1);
    } finally {
      await close();
    }
  });

  it('go alone when one of them breaks the group, and each meets its own outcome', async () => {
    const { store, counts, close } = await storeCountingAppends();
    try {
      const used = newEvent();
      await store.append('rider-used', [used], { expectedRevision: NO_STREAM });
      const first = store.append('rider-first', [newEvent()], { expectedRevision: NO_STREAM });
      // The id is taken by another stream: the group's insert fails, and so its transaction.
      const thief = store.append('rider-thief', [used], { expectedRevision: NO_STREAM });
      const honest = store.append('rider-honest', [newEvent()], { expectedRevision: NO_STREAM });
      await expect(thief).rejects.toBeInstanceOf(DuplicateEventId);
      await expect(honest).resolves.toMatchObject({ nextExpectedRevision: 0 });
      await expect(first).resolves.toMatchObject({ nextExpectedRevision: 0 });
      expect(counts.grouped).toBe(1);
      expect(counts.alone).toBe(1 + 1 + 2); // rider-used, rider-first, then the group's two
      expect(await store.readStream('rider-thief')).toEqual([]);
    } finally {
      await close();
    }
  });

  it('all hear that the store could not be reached, and none is tried again alone', async () => {
    const down = new StoreUnavailable('the link dropped');
    const { store, counts, close } = await storeCountingAppends((text) =>
      text.includes('.append_many(') ? down : undefined,
    );
    try {
      const first = store.append('rider-a', [newEvent()], { expectedRevision: NO_STREAM });
      const grouped = ['rider-b', 'rider-c'].map((name) =>
        store.append(name, [newEvent()], { expectedRevision: NO_STREAM }),
      );
      await expect(first).resolves.toMatchObject({ nextExpectedRevision: 0 });
      for (const append of grouped) await expect(append).rejects.toBe(down);
      expect(counts).toMatchObject({ alone: 1, grouped: 1 });
    } finally {
      await close();
    }
  });
});
