import { GrpcStandIn, standInPosition, type StandInOptions } from '@ledger/testing';
import { StoreUnavailable } from '../event-store.errors';
import type { EventStore } from '../event-store.port';
import { openKurrentDbEventStore, PING_DEADLINE_MS } from './kurrentdb.event-store';

const eventually = async (check: () => boolean, ms: number): Promise<boolean> => {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) return false;
    await new Promise((r) => setTimeout(r, 20));
  }
  return true;
};

const EVENT = {
  eventId: '3b9d2f4e-0c1a-4f7e-9d2b-5a6c7e8f9a0b',
  type: 'StandInEvent',
  schemaVersion: 1,
  data: {},
  metadata: {},
};

/**
 * Issue 18: the KurrentDB adapter's transport, against a stand-in gRPC endpoint (no KurrentDB
 * server runs here): reads that ask only for what they need and never leave a call open, reads
 * bounded in time, and transport failures reported as `StoreUnavailable`.
 */
describe('kurrentdb adapter against a stand-in gRPC endpoint', () => {
  let standIn: GrpcStandIn;
  let store: EventStore | undefined;

  beforeEach(async () => {
    standIn = await GrpcStandIn.start();
    standIn.mode = { kind: 'log', events: 50 };
  });
  afterEach(async () => {
    await store?.close();
    store = undefined;
    await standIn.close();
  });

  /** A fresh stand-in with these options (the client learns ServerFeatures once, on connecting). */
  const restart = async (options: StandInOptions): Promise<void> => {
    await standIn.close();
    standIn = await GrpcStandIn.start(options);
    standIn.mode = { kind: 'log', events: 50 };
  };

  /** How long `work` takes to fail, and with what. */
  const failure = async (work: Promise<unknown>): Promise<{ error: unknown; ms: number }> => {
    const started = Date.now();
    const error = await work.then(
      () => undefined,
      (e: unknown) => e,
    );
    return { error, ms: Date.now() - started };
  };

  it('pages through the log without leaving calls open (150 pages, 100 streams allowed)', async () => {
    standIn.mode = { kind: 'log', events: 50, live: true };
    store = await openKurrentDbEventStore({ connectionString: standIn.connectionString });
    for (let page = 0; page < 150; page++) {
      const { events } = await store.readAll({ limit: 10 });
      expect(events).toHaveLength(10);
      await store.headCursor();
    }
    const reads = standIn.calls.filter((c) => c.path.endsWith('/Read'));
    expect(reads.length).toBeGreaterThanOrEqual(301);
    // Each page asks for its 10; the head look-up for a page of 100 (it stops at the first).
    expect(new Set(reads.map((c) => c.count))).toEqual(new Set(['1', '10', '100']));
    expect(await eventually(() => standIn.openCalls === 0, 5000)).toBe(true);
  }, 60_000);

  it('reads every ledger event once, in order, page by page past system events', async () => {
    // 60 records, every third a system event, then 150 system records at the end.
    standIn.mode = { kind: 'log', events: 210, systemEvery: 3, trailingSystem: 150 };
    store = await openKurrentDbEventStore({ connectionString: standIn.connectionString });
    const ledger = Array.from({ length: 60 }, (_, i) => i).filter((i) => i % 3 !== 2);
    for (const limit of [1, 3, 7, 1000]) {
      const read: number[] = [];
      let after = '';
      for (let pages = 0; pages < 100; pages++) {
        const page = await store.readAll({ after, limit });
        expect(page.events.length).toBeLessThanOrEqual(limit);
        read.push(...page.events.map((e) => e.data.n as number));
        if (page.events.length === 0) break;
        after = page.cursor;
      }
      expect({ limit, read }).toEqual({ limit, read: ledger });
    }
    // The head is the last ledger event, behind 150 system records (more than a page of 100).
    const head = await store.headCursor();
    expect(store.positionOf(head)).toBe(standInPosition(ledger[ledger.length - 1]));
    expect(await eventually(() => standIn.openCalls === 0, 5000)).toBe(true);
  }, 60_000);

  it('gives up on a server that accepts and never answers within the ping deadline: opening, a head look-up', async () => {
    standIn.mode = { kind: 'silent' };
    let started = Date.now();
    await expect(
      openKurrentDbEventStore({ connectionString: standIn.connectionString }),
    ).rejects.toBeInstanceOf(StoreUnavailable);
    expect(Date.now() - started).toBeLessThan(PING_DEADLINE_MS + 2000);

    standIn.mode = { kind: 'log', events: 50 };
    store = await openKurrentDbEventStore({ connectionString: standIn.connectionString });
    standIn.mode = { kind: 'silent' };
    started = Date.now();
    await expect(store.headCursor()).rejects.toBeInstanceOf(StoreUnavailable);
    expect(Date.now() - started).toBeLessThan(PING_DEADLINE_MS + 2000);
    // Every call given up on is cancelled: nothing stays open at the server.
    expect(await eventually(() => standIn.openCalls === 0, 5000)).toBe(true);
  }, 30_000);

  it('gives up on a page of the log and a stream read within the read deadline, leaving no call open', async () => {
    store = await openKurrentDbEventStore({
      connectionString: standIn.connectionString,
      deadlines: { read: 500 },
    });
    standIn.mode = { kind: 'silent' };
    const reads = [() => store!.readAll({ limit: 10 }), () => store!.readStream('stand-in-1')];
    for (const read of reads) {
      const { error, ms } = await failure(read());
      expect(error).toBeInstanceOf(StoreUnavailable);
      expect((error as Error).message).toMatch(/did not answer a read .* within 500 ms/);
      expect(ms).toBeGreaterThanOrEqual(450);
      expect(ms).toBeLessThan(2000);
    }
    // Both calls given up on are cancelled: nothing stays open at the server.
    expect(await eventually(() => standIn.openCalls === 0, 5000)).toBe(true);
  }, 30_000);

  it.each([
    ['Append (an older server)', false],
    ['BatchAppend', true],
  ])(
    'gives up on an append a server accepts and never answers (%s): StoreUnavailable, outcome unknown',
    async (_path, batchAppend) => {
      await restart({ batchAppend });
      store = await openKurrentDbEventStore({
        connectionString: standIn.connectionString,
        deadlines: { append: 500 },
      });
      standIn.mode = { kind: 'silent' };
      const { error, ms } = await failure(
        store.append('stand-in-x', [EVENT], { expectedRevision: 'no_stream' }),
      );
      expect(standIn.calls.map((c) => c.path.split('/').pop())).toContain(
        batchAppend ? 'BatchAppend' : 'Append',
      );
      // Without the adapter's deadline the Append failed at the client's own (10 s), and the
      // BatchAppend (opened with `deadline: Infinity`) waited for good.
      expect(error).toBeInstanceOf(StoreUnavailable);
      expect((error as Error).message).toMatch(
        /did not answer an append to stand-in-x within 500 ms: its outcome is unknown/,
      );
      expect(ms).toBeGreaterThanOrEqual(450);
      expect(ms).toBeLessThan(2000);
      // The BatchAppend call, which the client shares between appends, is released on closing;
      // an Append call ends at the client's own deadline (10 s).
      if (batchAppend) {
        await store.close();
        expect(await eventually(() => standIn.openCalls === 0, 2000)).toBe(true);
      }
    },
    30_000,
  );

  it.each([
    [8, 'RESOURCE_EXHAUSTED', false],
    [13, 'INTERNAL', false],
    [2, 'UNKNOWN', false],
    [8, 'RESOURCE_EXHAUSTED', true],
    [13, 'INTERNAL', true],
    [2, 'UNKNOWN', true],
  ])(
    'reports gRPC %i (%s) as StoreUnavailable: an append’s outcome unknown (BatchAppend: %s)',
    async (code, name, batchAppend) => {
      await restart({ batchAppend });
      store = await openKurrentDbEventStore({ connectionString: standIn.connectionString });
      standIn.mode = { kind: 'status', code, message: `stand-in ${name}` };
      await expect(
        store.append('stand-in-x', [EVENT], { expectedRevision: 'no_stream' }),
      ).rejects.toBeInstanceOf(StoreUnavailable);
      expect(standIn.calls.map((c) => c.path.split('/').pop())).toContain(
        batchAppend ? 'BatchAppend' : 'Append',
      );
      await expect(store.readAll({ limit: 5 })).rejects.toBeInstanceOf(StoreUnavailable);
    },
    30_000,
  );

  it('reports the server’s own “unknown” answer to a batch append as StoreUnavailable, the call kept', async () => {
    await restart({ batchAppend: true });
    store = await openKurrentDbEventStore({ connectionString: standIn.connectionString });
    standIn.mode = { kind: 'append-unknown' };
    for (const stream of ['stand-in-x', 'stand-in-y']) {
      const { error } = await failure(
        store.append(stream, [EVENT], { expectedRevision: 'no_stream' }),
      );
      expect(error).toBeInstanceOf(StoreUnavailable);
      expect((error as Error).message).toMatch(/unknown error/);
    }
    // Both appends went over one BatchAppend call, still open: the client shares it.
    expect(standIn.calls.filter((c) => c.path.endsWith('/BatchAppend'))).toHaveLength(1);
    expect(standIn.openCalls).toBe(1);
  }, 30_000);
});
