import { randomUUID } from 'node:crypto';
import {
  ANY,
  DuplicateEventId,
  InvalidArgument,
  NO_STREAM,
  START,
  STREAM_EXISTS,
  StoreUnavailable,
  WrongExpectedRevision,
  type EventStore,
  type LogCursor,
  type NewEvent,
  type StoredEvent,
} from '../index';
import { sleep } from '../subscription';

/** What an adapter's spec gives the contract suite. */
export interface ContractHarness {
  /** The store under test; stream names in each test are unique, so tests never collide. */
  readonly store: EventStore;
  /** Closes `store` and opens the same data again. */
  reopen(): Promise<EventStore>;
  /**
   * Starts an append whose transaction stays open (its position taken, not committed) until
   * `release` is called. Adapters whose positions are assigned at commit (KurrentDB) have no
   * such gap and leave this out.
   */
  stallAppend?(streamName: string, event: NewEvent): Promise<{ release(): Promise<void> }>;
  /** True when the store rejects an event id already used in another stream. */
  readonly rejectsIdsFromOtherStreams: boolean;
  dispose(): Promise<void>;
}

export function newEvent(type = 'TestEvent', data: Record<string, unknown> = {}): NewEvent {
  return { eventId: randomUUID(), type, schemaVersion: 1, data, metadata: { test: true } };
}

/** Runs the whole contract against one adapter. Every adapter's spec calls this unchanged. */
export function describeEventStoreContract(
  adapter: string,
  createHarness: () => Promise<ContractHarness>,
): void {
  describe(`event store contract: ${adapter}`, () => {
    let harness: ContractHarness;
    let store: EventStore;
    let prefix: string;
    const stream = (name: string): string => `${prefix}-${name}`;

    beforeAll(async () => {
      harness = await createHarness();
      store = harness.store;
    });
    afterAll(() => harness.dispose());
    beforeEach(() => {
      prefix = `t${randomUUID().slice(0, 8)}`;
    });

    /**
     * Events of this test's streams in log order, from `after` up to the head. With `expected`,
     * waits (up to 5 s) until that many are visible: on PostgreSQL a committed event stays behind
     * the fence while any older transaction of the server is still open (delayed, never skipped).
     */
    async function readOwn(after: LogCursor, expected?: number): Promise<StoredEvent[]> {
      const deadline = Date.now() + 5000;
      for (;;) {
        const out: StoredEvent[] = [];
        let cursor = after;
        for (;;) {
          const page = await store.readAll({ after: cursor, limit: 100 });
          out.push(...page.events.filter((e) => e.streamName.startsWith(prefix)));
          if (page.events.length === 0) break;
          cursor = page.cursor;
        }
        if (expected === undefined || out.length >= expected || Date.now() > deadline) return out;
        await sleep(20);
      }
    }

    describe('append and read', () => {
      it('round-trips Chinese text, metadata and a large payload exactly', async () => {
        const big = '积'.repeat(300_000);
        const events = [
          {
            ...newEvent('PointsAwarded', {
              riderId: 'r-1',
              reason: '夜间巡逻 · 江津区',
              points: 20,
            }),
            metadata: { actor: { id: '社区工作人员', role: 'staff' }, nested: [1, { a: null }] },
          },
          newEvent('Big', { text: big, list: Array.from({ length: 1000 }, (_, i) => i) }),
        ];
        const result = await store.append(stream('a'), events, { expectedRevision: NO_STREAM });
        expect(result.nextExpectedRevision).toBe(1);

        const read = await store.readStream(stream('a'));
        expect(read.map((e) => e.revision)).toEqual([0, 1]);
        expect(read[0]).toMatchObject({
          eventId: events[0].eventId,
          streamName: stream('a'),
          type: 'PointsAwarded',
          schemaVersion: 1,
          data: events[0].data,
          metadata: events[0].metadata,
        });
        expect(read[1].data.text).toBe(big);
        expect(read[1].recordedAt).toBeInstanceOf(Date);
        expect(Math.abs(read[1].recordedAt.getTime() - Date.now())).toBeLessThan(60_000);
        expect(read[1].position).toBe(result.position);
        expect(read[0].position).toBeLessThan(read[1].position);
      });

      it('keeps the schema version of each event', async () => {
        await store.append(stream('v'), [{ ...newEvent('Old'), schemaVersion: 3 }], {
          expectedRevision: NO_STREAM,
        });
        expect((await store.readStream(stream('v')))[0].schemaVersion).toBe(3);
      });

      it('reads a stream from a revision and within a limit; an unknown stream is empty', async () => {
        const events = Array.from({ length: 10 }, (_, i) => newEvent('E', { i }));
        await store.append(stream('r'), events, { expectedRevision: NO_STREAM });
        const tail = await store.readStream(stream('r'), { fromRevision: 7 });
        expect(tail.map((e) => e.data.i)).toEqual([7, 8, 9]);
        const page = await store.readStream(stream('r'), { fromRevision: 2, limit: 3 });
        expect(page.map((e) => e.revision)).toEqual([2, 3, 4]);
        expect(await store.readStream(stream('none'))).toEqual([]);
      });

      it('refuses malformed appends with InvalidArgument and writes nothing', async () => {
        const bad: [string, NewEvent[], unknown][] = [
          [stream('x'), [], NO_STREAM],
          [stream('x'), [{ ...newEvent(), eventId: 'not-a-uuid' }], NO_STREAM],
          [stream('x'), [{ ...newEvent(), schemaVersion: 0 }], NO_STREAM],
          [stream('x'), [{ ...newEvent(), metadata: { $reserved: 1 } }], NO_STREAM],
          [stream('x'), [newEvent()], -1],
          ['', [newEvent()], NO_STREAM],
        ];
        const same = newEvent();
        bad.push([stream('x'), [same, same], NO_STREAM]);
        for (const [name, events, expected] of bad) {
          await expect(
            store.append(name, events, { expectedRevision: expected as typeof NO_STREAM }),
          ).rejects.toBeInstanceOf(InvalidArgument);
        }
        expect(await store.readStream(stream('x'))).toEqual([]);
      });
    });

    describe('expected revision', () => {
      it('rejects a stale or wrong expected revision with the actual one', async () => {
        await store.append(stream('c'), [newEvent(), newEvent()], { expectedRevision: NO_STREAM });
        const cases = [NO_STREAM, 0, 5] as const;
        for (const expected of cases) {
          const error = await store
            .append(stream('c'), [newEvent()], { expectedRevision: expected })
            .catch((e: unknown) => e);
          expect(error).toBeInstanceOf(WrongExpectedRevision);
          expect(error).toMatchObject({ streamName: stream('c'), expected, actual: 1 });
        }
        const missing = await store
          .append(stream('missing'), [newEvent()], { expectedRevision: STREAM_EXISTS })
          .catch((e: unknown) => e);
        expect(missing).toMatchObject({ actual: -1 });
        expect(missing).toBeInstanceOf(WrongExpectedRevision);
        expect(await store.readStream(stream('c'))).toHaveLength(2);
        expect(await store.readStream(stream('missing'))).toEqual([]);
      });

      it('accepts the right revision, stream_exists and any', async () => {
        const first = await store.append(stream('ok'), [newEvent()], {
          expectedRevision: NO_STREAM,
        });
        expect(first.nextExpectedRevision).toBe(0);
        const second = await store.append(stream('ok'), [newEvent()], { expectedRevision: 0 });
        expect(second.nextExpectedRevision).toBe(1);
        const third = await store.append(stream('ok'), [newEvent()], {
          expectedRevision: STREAM_EXISTS,
        });
        expect(third.nextExpectedRevision).toBe(2);
        const fourth = await store.append(stream('ok'), [newEvent()], { expectedRevision: ANY });
        expect(fourth.nextExpectedRevision).toBe(3);
        const fresh = await store.append(stream('any'), [newEvent()], { expectedRevision: ANY });
        expect(fresh.nextExpectedRevision).toBe(0);
      });

      it('lets exactly one of 50 concurrent appends win each revision', async () => {
        await store.append(stream('race'), [newEvent()], { expectedRevision: NO_STREAM });
        const writers = 50;
        const results = await Promise.allSettled(
          Array.from({ length: writers }, (_, i) =>
            store.append(stream('race'), [newEvent('Race', { i })], { expectedRevision: 0 }),
          ),
        );
        const won = results.filter((r) => r.status === 'fulfilled');
        const lost = results.filter((r) => r.status === 'rejected');
        expect(won).toHaveLength(1);
        expect(lost).toHaveLength(writers - 1);
        for (const r of lost) expect(r.reason).toBeInstanceOf(WrongExpectedRevision);
        expect(await store.readStream(stream('race'))).toHaveLength(2);
      });

      it('answers each of many appends made at once on its own (SQL stores group them)', async () => {
        await store.append(stream('g-stale'), [newEvent()], { expectedRevision: NO_STREAM });
        const used = newEvent();
        await store.append(stream('g-used'), [used], { expectedRevision: NO_STREAM });
        const good = Array.from({ length: 20 }, (_, i) => newEvent('G', { i }));
        const attempts = [
          ...good.map((event, i) =>
            store.append(stream(`g${i % 10}`), [event], { expectedRevision: ANY }),
          ),
          store.append(stream('g-stale'), [newEvent()], { expectedRevision: 5 }),
          store.append(stream('g-stale'), [newEvent('Next')], { expectedRevision: 0 }),
          store.append(stream('g-used'), [used], { expectedRevision: NO_STREAM }), // a retry
          store.append(stream('g-new'), [newEvent(), newEvent()], { expectedRevision: NO_STREAM }),
        ];
        const results = await Promise.allSettled(attempts);
        const [stale, next, retried, created] = results.slice(good.length);
        expect(results.slice(0, good.length).every((r) => r.status === 'fulfilled')).toBe(true);
        expect(stale).toMatchObject({ status: 'rejected', reason: { actual: 0 } });
        expect((stale as PromiseRejectedResult).reason).toBeInstanceOf(WrongExpectedRevision);
        expect(next).toMatchObject({ status: 'fulfilled', value: { nextExpectedRevision: 1 } });
        expect(retried).toMatchObject({ status: 'fulfilled', value: { nextExpectedRevision: 0 } });
        expect(created).toMatchObject({ status: 'fulfilled', value: { nextExpectedRevision: 1 } });
        const perStream = await Promise.all(
          Array.from({ length: 10 }, (_, i) => store.readStream(stream(`g${i}`))),
        );
        expect(perStream.map((events) => events.map((e) => e.revision))).toEqual(
          Array.from({ length: 10 }, () => [0, 1]),
        );
        expect((await store.readStream(stream('g-stale'))).map((e) => e.type)).toEqual([
          'TestEvent',
          'Next',
        ]);
        expect(await store.readStream(stream('g-used'))).toHaveLength(1);
      });

      it('gives 50 writers that retry on conflict one distinct revision each', async () => {
        const writers = 50;
        let conflicts = 0;
        async function appendWithRetry(i: number): Promise<number> {
          for (;;) {
            const events = await store.readStream(stream('retry'));
            const expected = events.length === 0 ? NO_STREAM : events[events.length - 1].revision;
            try {
              const r = await store.append(stream('retry'), [newEvent('W', { i })], {
                expectedRevision: expected,
              });
              return r.nextExpectedRevision;
            } catch (error) {
              if (!(error instanceof WrongExpectedRevision)) throw error;
              conflicts++;
            }
          }
        }
        const revisions = await Promise.all(
          Array.from({ length: writers }, (_, i) => appendWithRetry(i)),
        );
        expect([...revisions].sort((a, b) => a - b)).toEqual(
          Array.from({ length: writers }, (_, i) => i),
        );
        const stored = await store.readStream(stream('retry'));
        expect(stored.map((e) => e.revision)).toEqual(revisions.map((_, i) => i));
        expect(new Set(stored.map((e) => e.data.i)).size).toBe(writers);
        expect(conflicts).toBeGreaterThanOrEqual(0);
      });
    });

    describe('idempotent retries', () => {
      it('returns the first result for a retried append and stores the events once', async () => {
        const events = [newEvent('A'), newEvent('B')];
        const first = await store.append(stream('i'), events, { expectedRevision: NO_STREAM });
        const retry = await store.append(stream('i'), events, { expectedRevision: NO_STREAM });
        expect(retry).toEqual(first);

        const next = [newEvent('C')];
        const third = await store.append(stream('i'), next, { expectedRevision: 1 });
        const again = await store.append(stream('i'), next, { expectedRevision: 1 });
        expect(again).toEqual(third);
        expect((await store.readStream(stream('i'))).map((e) => e.type)).toEqual(['A', 'B', 'C']);
      });

      it('refuses a retry that reuses only some of the ids', async () => {
        const events = [newEvent('A'), newEvent('B')];
        await store.append(stream('p'), events, { expectedRevision: NO_STREAM });
        const error = await store
          .append(stream('p'), [events[0], newEvent('X')], { expectedRevision: NO_STREAM })
          .catch((e: unknown) => e);
        expect(error).toBeInstanceOf(Error);
        expect(['DUPLICATE_EVENT_ID', 'WRONG_EXPECTED_REVISION']).toContain(
          (error as { code: string }).code,
        );
        expect(await store.readStream(stream('p'))).toHaveLength(2);
      });

      it('refuses an event id already used in another stream where the store can tell', async () => {
        const event = newEvent();
        await store.append(stream('one'), [event], { expectedRevision: NO_STREAM });
        const attempt = store.append(stream('two'), [event], { expectedRevision: NO_STREAM });
        if (harness.rejectsIdsFromOtherStreams) {
          await expect(attempt).rejects.toBeInstanceOf(DuplicateEventId);
          expect(await store.readStream(stream('two'))).toEqual([]);
        } else {
          // KurrentDB scopes event-id dedupe to a stream; the ledger keeps its own keys.
          await expect(attempt).resolves.toMatchObject({ nextExpectedRevision: 0 });
        }
      });
    });

    describe('the global log', () => {
      it('orders events across streams as they were committed, each once', async () => {
        const start = await store.headCursor();
        const a1 = newEvent('A1');
        const b1 = newEvent('B1');
        const a2 = newEvent('A2');
        await store.append(stream('A'), [a1], { expectedRevision: NO_STREAM });
        await store.append(stream('B'), [b1], { expectedRevision: NO_STREAM });
        await store.append(stream('A'), [a2], { expectedRevision: 0 });
        const all = await readOwn(start, 3);
        expect(all.map((e) => e.eventId)).toEqual([a1.eventId, b1.eventId, a2.eventId]);
        expect(all.map((e) => e.position)).toEqual(
          [...all.map((e) => e.position)].sort((x, y) => x - y),
        );
        expect(await store.hasReached(all[2].cursor, all[2].position)).toBe(true);
        expect(await store.hasReached(all[0].cursor, all[2].position)).toBe(false);
        expect(await store.hasReached(START, all[0].position)).toBe(false);
      });

      it('catches up from any cursor, in pages, without gaps or repeats', async () => {
        const start = await store.headCursor();
        const events = Array.from({ length: 30 }, (_, i) => newEvent('N', { i }));
        for (const [i, event] of events.entries()) {
          await store.append(stream(`s${i % 3}`), [event], { expectedRevision: ANY });
        }
        const all = await readOwn(start, events.length);
        expect(all.map((e) => e.data.i)).toEqual(events.map((_, i) => i));
        for (const from of [0, 1, 13, 28, 29]) {
          const rest = await readOwn(all[from].cursor, events.length - from - 1);
          expect(rest.map((e) => e.data.i)).toEqual(
            events.slice(from + 1).map((_, i) => from + 1 + i),
          );
        }
        const page = await store.readAll({ after: start, limit: 7 });
        expect(page.events.length).toBeLessThanOrEqual(7);
        expect(page.cursor).toBe(page.events[page.events.length - 1].cursor);
      });

      it('subscribes from a cursor: the past first, then new events as they commit', async () => {
        const start = await store.headCursor();
        const before = [newEvent('P', { i: 0 }), newEvent('P', { i: 1 })];
        await store.append(stream('sub'), before, { expectedRevision: NO_STREAM });
        const stop = new AbortController();
        const seen: number[] = [];
        const reader = (async () => {
          for await (const event of store.subscribe({ after: start, signal: stop.signal })) {
            if (!event.streamName.startsWith(prefix)) continue;
            seen.push(event.data.i as number);
            if (seen.length === 5) stop.abort();
          }
        })();
        for (let i = 2; i < 5; i++) {
          await store.append(stream('sub'), [newEvent('P', { i })], { expectedRevision: i - 1 });
        }
        await reader;
        expect(seen).toEqual([0, 1, 2, 3, 4]);
      });

      it('misses nothing when a reader catches up while 20 writers append concurrently', async () => {
        const start = await store.headCursor();
        const writers = 20;
        const perWriter = 10;
        const stop = new AbortController();
        const seen: string[] = [];
        const reader = (async () => {
          for await (const event of store.subscribe({ after: start, signal: stop.signal })) {
            if (!event.streamName.startsWith(prefix)) continue;
            seen.push(event.eventId);
            if (seen.length === writers * perWriter) stop.abort();
          }
        })();
        const written: string[] = [];
        await Promise.all(
          Array.from({ length: writers }, async (_, w) => {
            for (let i = 0; i < perWriter; i++) {
              const event = newEvent('C', { w, i });
              written.push(event.eventId);
              await store.append(stream(`w${w}`), [event], {
                expectedRevision: i === 0 ? NO_STREAM : i - 1,
              });
            }
          }),
        );
        await withTimeout(reader, 15_000, () => stop.abort());
        expect(new Set(seen).size).toBe(seen.length);
        expect([...seen].sort()).toEqual([...written].sort());
      });

      it('never skips an event whose writer stalled inside its transaction', async () => {
        if (!harness.stallAppend) {
          // Positions are assigned at commit by the leader: there is no gap to fence.
          expect(store.kind).toBe('kurrentdb');
          return;
        }
        const start = await store.headCursor();
        const stalledEvent = newEvent('Stalled');
        const stalled = await harness.stallAppend(stream('slow'), stalledEvent);
        const stop = new AbortController();
        const seen: string[] = [];
        let cursor = start;
        const others = Array.from({ length: 10 }, (_, i) => newEvent('Fast', { i }));
        const reader = (async () => {
          for await (const event of store.subscribe({ after: start, signal: stop.signal })) {
            if (!event.streamName.startsWith(prefix)) continue;
            seen.push(event.eventId);
            cursor = event.cursor;
            if (seen.length === others.length + 1) stop.abort();
          }
        })();
        const writes = Promise.all(
          others.map((e, i) =>
            store.append(stream(`fast${i}`), [e], { expectedRevision: NO_STREAM }),
          ),
        );
        // Give the fast writers time to commit (where the store lets them) while one is stalled.
        await sleep(300);
        expect(seen).not.toContain(stalledEvent.eventId);
        await stalled.release();
        await writes;
        await withTimeout(reader, 10_000, () => stop.abort());
        expect([...seen].sort()).toEqual([stalledEvent, ...others].map((e) => e.eventId).sort());
        // The cursor after the last event read covers every one of them, the stalled one included.
        const last = await readOwn(cursor);
        expect(last).toEqual([]);
      });
    });

    describe('life cycle', () => {
      it('answers ping, and keeps everything across close and reopen', async () => {
        await store.ping();
        const events = Array.from({ length: 5 }, (_, i) =>
          newEvent('Kept', { i, text: '驿站兑换' }),
        );
        const before = await store.headCursor();
        await store.append(stream('keep'), events, { expectedRevision: NO_STREAM });
        await readOwn(before, events.length); // visible to readers (past the fence) before the head is taken
        const head = await store.headCursor();
        const [last] = (await store.readStream(stream('keep'))).slice(-1);
        expect(store.positionOf(head)).toBe(last.position);
        expect(store.positionOf(START)).toBeNull();
        const reopened = await harness.reopen();
        const closed = store;
        store = reopened;
        await expect(closed.readStream(stream('keep'))).rejects.toBeInstanceOf(StoreUnavailable);
        const read = await store.readStream(stream('keep'));
        expect(read.map((e) => e.eventId)).toEqual(events.map((e) => e.eventId));
        expect(read[4].data.text).toBe('驿站兑换');
        expect(await store.headCursor()).toBe(head);
        const next = await store.append(stream('keep'), [newEvent()], { expectedRevision: 4 });
        expect(next.nextExpectedRevision).toBe(5);
      });

      it('ends an open subscription when the store closes', async () => {
        const current = await harness.reopen();
        store = current;
        const iterator = current.subscribe({ after: await current.headCursor() });
        const ended = (async () => {
          let count = 0;
          for await (const event of iterator) if (event.streamName.startsWith(prefix)) count++;
          return count;
        })();
        await sleep(50);
        const reopened = await harness.reopen();
        store = reopened;
        await expect(withTimeout(ended, 5000, () => undefined)).resolves.toBe(0);
      });
    });
  });
}

export async function withTimeout<T>(
  promise: Promise<T>,
  ms: number,
  onTimeout: () => void,
): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      onTimeout();
      reject(new Error(`timed out after ${ms} ms`));
    }, ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
