import {
  dropSchema,
  FaultProxy,
  requirePostgres,
  TEST_DATABASE_URL,
  uniqueSchema,
} from '@ledger/testing';
import { Client } from 'pg';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createServer, type AddressInfo } from 'node:net';
import {
  describeEventStoreContract,
  newEvent,
  withTimeout,
} from '../contract/event-store.contract';
import { StoreUnavailable } from '../event-store.errors';
import { NO_STREAM, START, type EventStore, type NewEvent } from '../event-store.port';
import type { SqlClient } from '../sql/sql-client';
import { openPostgresDatabase, openPostgresEventStore } from './postgres.event-store';

describeEventStoreContract('postgres', async () => {
  await requirePostgres();
  const schema = uniqueSchema('es');
  const open = () => openPostgresEventStore({ connectionString: TEST_DATABASE_URL, schema });
  let store = await open();
  return {
    get store() {
      return store;
    },
    rejectsIdsFromOtherStreams: true,
    async reopen(): Promise<EventStore> {
      await store.close();
      store = await open();
      return store;
    },
    async stallAppend(streamName: string, event: NewEvent) {
      // A writer on its own connection: its append takes a position, then its commit waits.
      const writer = new Client({ connectionString: TEST_DATABASE_URL });
      await writer.connect();
      await writer.query('begin');
      await writer.query(`select ${schema}.append_to_stream($1, $2, $3::jsonb)`, [
        streamName,
        'no_stream',
        JSON.stringify([event]),
      ]);
      return {
        release: async () => {
          await writer.query('commit');
          await writer.end();
        },
      };
    },
    async dispose() {
      await store.close();
      await dropSchema(schema);
    },
  };
});

describe('postgres adapter', () => {
  /**
   * A fresh store, and a transaction on another connection that has written (it has an id) and
   * stays open while `work` runs; rolled back after.
   */
  async function withTransactionElsewhere(
    work: (store: EventStore, schema: string) => Promise<void>,
  ): Promise<void> {
    await requirePostgres();
    const schema = uniqueSchema('es');
    const store = await openPostgresEventStore({ connectionString: TEST_DATABASE_URL, schema });
    const elsewhere = new Client({ connectionString: TEST_DATABASE_URL });
    await elsewhere.connect();
    try {
      await elsewhere.query('begin');
      await elsewhere.query('create temporary table held (x int); insert into held values (1)');
      await work(store, schema);
    } finally {
      await elsewhere.query('rollback');
      await elsewhere.end();
      await store.close();
      await dropSchema(schema);
    }
  }

  it('reads past a transaction elsewhere on the server that has written and stays open', () =>
    // Another schema's worker frozen mid-batch, another database's client, an operator's psql
    // left in a transaction: none of them appends to this log, so none may hold its readers back
    // (with pg_snapshot_xmin as the fence they all did, for as long as they stayed open).
    withTransactionElsewhere(async (store) => {
      const event = newEvent('Written');
      const { position } = await store.append('s-1', [event], { expectedRevision: NO_STREAM });
      const { events } = await store.readAll({ after: START });
      expect(events.map((e) => e.eventId)).toEqual([event.eventId]);
      const head = await store.headCursor();
      expect(store.positionOf(head)).toBe(position);
      expect(await store.hasReached(head, position)).toBe(true);
      const stop = new AbortController();
      const followed = (async () => {
        for await (const e of store.subscribe({ after: START, signal: stop.signal })) {
          stop.abort();
          return e.eventId;
        }
        return undefined;
      })();
      await expect(withTimeout(followed, 3000, () => stop.abort())).resolves.toBe(event.eventId);
    }));

  it('misses nothing while 20 writers append and a transaction elsewhere stays open', () =>
    // With another transaction running, every read takes the fence's slow path (the appenders'
    // locks and which transactions still run), racing appends that commit while it looks.
    withTransactionElsewhere(async (store) => {
      const written = Array.from({ length: 20 }, (_, w) =>
        Array.from({ length: 25 }, (__, i) => newEvent('Many', { w, i })),
      );
      const stop = new AbortController();
      const seen: string[] = [];
      const reader = (async () => {
        for await (const e of store.subscribe({ after: START, signal: stop.signal })) {
          seen.push(e.eventId);
          if (seen.length === 500) stop.abort();
        }
      })();
      await Promise.all(
        written.map(async (events, w) => {
          for (const [i, event] of events.entries())
            await store.append(`w-${w}`, [event], {
              expectedRevision: i === 0 ? NO_STREAM : i - 1,
            });
        }),
      );
      await withTimeout(reader, 15_000, () => stop.abort());
      expect(new Set(seen).size).toBe(500);
      const { events } = await store.readAll({ after: START, limit: 1000 });
      expect(seen).toEqual(events.map((e) => e.eventId));
    }));

  it('holds back at xmin while an append holds its lock but no registered id yet', () =>
    // Between taking its id (in snapshots at once) and registering it in the lock table, an
    // append shows its lock without an id: its id cannot be told from the others' (gdb found an
    // event passed for ever that way), so the fence falls back to the oldest running one.
    withTransactionElsewhere(async (store, schema) => {
      const locked = new Client({ connectionString: TEST_DATABASE_URL });
      await locked.connect();
      try {
        await locked.query('begin');
        await locked.query(
          `select pg_advisory_xact_lock_shared(hashtext('rider-ledger appends'), hashtext($1))`,
          [schema],
        );
        await store.append('s-1', [newEvent()], { expectedRevision: NO_STREAM });
        expect((await store.readAll({ after: START })).events).toEqual([]);
        await locked.query('commit');
        expect((await store.readAll({ after: START })).events).toHaveLength(1);
      } finally {
        await locked.end();
      }
    }));

  it('reads past a vacuum and analyze of the log running beside', () =>
    // Vacuum and analyze lock the log's tables (not in a row write's mode) and take no id:
    // counted like an append without one, they sent the fence back behind the transaction
    // elsewhere for as long as they ran (autovacuum runs them on every busy log).
    withTransactionElsewhere(async (store, schema) => {
      for (let i = 0; i < 100; i++)
        await store.append(`s-${i}`, [newEvent()], { expectedRevision: NO_STREAM });
      const [slow, watcher] = [TEST_DATABASE_URL, TEST_DATABASE_URL].map(
        (connectionString) => new Client({ connectionString }),
      );
      await Promise.all([slow.connect(), watcher.connect()]);
      const vacuumRunning = async () =>
        (
          await watcher.query(
            `select from pg_locks l join pg_class c on c.oid = l.relation
               join pg_namespace n on n.oid = c.relnamespace
             where n.nspname = $1 and l.mode = 'ShareUpdateExclusiveLock'`,
            [schema],
          )
        ).rowCount! > 0;
      try {
        await slow.query('set vacuum_cost_delay = 20; set vacuum_cost_limit = 1');
        const vacuuming = slow.query(`vacuum analyze ${schema}.events, ${schema}.streams`);
        for (let waited = 0; !(await vacuumRunning()) && waited < 5000; waited += 20)
          await new Promise((r) => setTimeout(r, 20));
        const event = newEvent('During');
        await store.append('s-during', [event], { expectedRevision: NO_STREAM });
        const { events } = await store.readAll({ after: START, limit: 1000 });
        expect({ last: events.at(-1)?.eventId, vacuumRunning: await vacuumRunning() }).toEqual({
          last: event.eventId,
          vacuumRunning: true,
        });
        await vacuuming;
      } finally {
        await Promise.all([slow.end(), watcher.end()]);
      }
    }));

  it('upgrading a version-2 store, holds back while an append of the older release runs', async () => {
    // Its body takes no lock; begun before the upgrade's DDL committed (before it or during it),
    // it writes its stream's row, then its event after. A transaction that writes the log's
    // tables without the lock holds the fence at xmin.
    await requirePostgres();
    const schema = uniqueSchema('es');
    const older = new Client({ connectionString: TEST_DATABASE_URL });
    await older.connect();
    const layout = readFileSync(join(__dirname, '../sql/fixtures/layout-v2.sql'), 'utf8');
    await older.query(layout.replaceAll('{{schema}}', schema));
    let store: EventStore | undefined;
    try {
      const first = newEvent('Older');
      // The version-2 body, stopped between its two writes: the stream's row (its transaction
      // has an id now), then, after the upgrade, its event. (Stopped after the event instead, it
      // would hold the events table, and the upgrade's DDL would wait for it.)
      await older.query('begin');
      await older.query(`insert into ${schema}.streams values ('s-old', 0)`);
      store = await openPostgresEventStore({ connectionString: TEST_DATABASE_URL, schema });
      const second = newEvent('Newer');
      await store.append('s-new', [second], { expectedRevision: NO_STREAM });
      expect((await store.readAll({ after: START })).events).toEqual([]);
      await older.query(
        `insert into ${schema}.events (event_id, stream_name, stream_revision, event_type,
           schema_version, data, metadata) values ($1, 's-old', 0, 'Older', 1, '{}', '{}')`,
        [first.eventId],
      );
      await older.query('commit');
      const { events } = await store.readAll({ after: START });
      expect(events.map((e) => e.eventId)).toEqual([first.eventId, second.eventId]);
    } finally {
      await older.end();
      await store?.close();
      await dropSchema(schema);
    }
  });

  it('refuses an append that comes after other writes in its transaction, and serves several in one', async () => {
    // The readers tell an append's transaction by the lock it takes before it has an id; one
    // that had written before could be passed by a reader while it is open.
    await requirePostgres();
    const schema = uniqueSchema('es');
    const store = await openPostgresEventStore({ connectionString: TEST_DATABASE_URL, schema });
    const writer = new Client({ connectionString: TEST_DATABASE_URL });
    await writer.connect();
    const append = (stream: string) =>
      writer.query(`select ${schema}.append_to_stream($1, 'no_stream', $2::jsonb)`, [
        stream,
        JSON.stringify([newEvent()]),
      ]);
    try {
      await writer.query('begin');
      await writer.query('create temporary table wrote (x int); insert into wrote values (1)');
      await expect(append('s-late')).rejects.toThrow(
        /an append must come first in its transaction/,
      );
      await writer.query('rollback');
      await writer.query('begin');
      await append('s-a');
      await append('s-b');
      await writer.query('commit');
      expect((await store.readAll({ after: START })).events.map((e) => e.streamName)).toEqual([
        's-a',
        's-b',
      ]);
    } finally {
      await writer.end();
      await store.close();
      await dropSchema(schema);
    }
  });

  it('answers StoreUnavailable quickly when the server cannot be reached', async () => {
    const started = Date.now();
    await expect(
      openPostgresEventStore({ connectionString: 'postgres://root@127.0.0.1:1/test', schema: 'x' }),
    ).rejects.toBeInstanceOf(StoreUnavailable);
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it('leaves nothing running behind a store that failed to open (no probe of the dead server)', async () => {
    // A "server" that resets every connection: the open fails on a link error, which is what
    // starts the link breaker's probing.
    let connections = 0;
    const resetter = createServer((socket) => {
      connections++;
      socket.resetAndDestroy();
    }).listen(0, '127.0.0.1');
    await once(resetter, 'listening');
    const { port } = resetter.address() as AddressInfo;
    await expect(
      openPostgresEventStore({ connectionString: `postgres://root@127.0.0.1:${port}/test` }),
    ).rejects.toBeInstanceOf(StoreUnavailable);
    const afterOpen = connections;
    await new Promise((r) => setTimeout(r, 1000)); // the breaker probes every 250 ms
    resetter.close();
    expect(connections).toBe(afterOpen);
  });

  it('creates its schema once when several processes start at the same moment', async () => {
    await requirePostgres();
    const schema = uniqueSchema('es');
    const stores = await Promise.all(
      Array.from({ length: 4 }, () =>
        openPostgresEventStore({ connectionString: TEST_DATABASE_URL, schema }),
      ),
    );
    try {
      await stores[0].append('s-1', [newEvent()], { expectedRevision: NO_STREAM });
      expect(await stores[3].readStream('s-1')).toHaveLength(1);
    } finally {
      await Promise.all(stores.map((s) => s.close()));
      await dropSchema(schema);
    }
  });

  it('fails work on a killed or reset connection with StoreUnavailable, stays up, serves on', async () => {
    const { events, sql, proxy, close } = await behindFaultProxy();
    try {
      // The server ends the connection (an administrator, a crash, a failover).
      await expect(
        sql.transaction(async (query) => {
          await query('select 1');
          await query('select pg_terminate_backend(pg_backend_pid())');
        }),
      ).rejects.toBeInstanceOf(StoreUnavailable);
      await expect(
        sql.query('select pg_terminate_backend(pg_backend_pid())'),
      ).rejects.toBeInstanceOf(StoreUnavailable);
      // The link is reset in the middle of a transaction: the checked-out client emits 'error',
      // which would end the process if nobody listened.
      await expect(
        sql.transaction(async (query) => {
          await query('select 1');
          await proxy.cut('refuse');
          await query('select 1');
        }),
      ).rejects.toBeInstanceOf(StoreUnavailable);
      await expect(events.ping()).rejects.toBeInstanceOf(StoreUnavailable);
      await proxy.heal();
      // Still here, back within a second, and the pool hands out live connections only.
      expect(await answersWithin(sql, 1000)).toBe(true);
      await expect(sql.transaction((query) => query('select 1 as one'))).resolves.toEqual({
        rows: [{ one: 1 }],
      });
      await expect(events.ping()).resolves.toBeUndefined();
    } finally {
      await close();
    }
  });

  it('gives up on a statement that runs past the statement timeout, with StoreUnavailable', async () => {
    await requirePostgres();
    const schema = uniqueSchema('es');
    const { events, sql } = await openPostgresDatabase({
      connectionString: TEST_DATABASE_URL,
      schema,
      statementTimeoutMs: 300,
    });
    try {
      const started = Date.now();
      await expect(sql.query('select pg_sleep(5)')).rejects.toBeInstanceOf(StoreUnavailable);
      expect(Date.now() - started).toBeLessThan(2000);
      await expect(sql.query('select 1 as one')).resolves.toEqual({ rows: [{ one: 1 }] });
    } finally {
      await events.close();
      await dropSchema(schema);
    }
  });

  it('fails fast while the link is silent, and serves again within a second of its return', async () => {
    // the client gives up on a silent link after 1.5 s
    const { events, sql, proxy, close } = await behindFaultProxy({ statementTimeoutMs: 500 });
    try {
      await sql.query('select 1');
      await proxy.cut('blackhole');
      const timed = async (work: () => Promise<unknown>) => {
        const started = Date.now();
        const error = await work().then(
          () => undefined,
          (e: unknown) => e,
        );
        return { unavailable: error instanceof StoreUnavailable, ms: Date.now() - started };
      };
      // The first statement learns of the silence from its own timeout…
      const first = await timed(() => sql.query('select 1'));
      expect(first).toMatchObject({ unavailable: true });
      expect(first.ms).toBeLessThan(3000);
      // …every later one is refused at once, whichever way it comes.
      for (const work of [
        () => sql.query('select 1'),
        () => sql.transaction((q) => q('select 1')),
        () => events.append('s-1', [newEvent()], { expectedRevision: NO_STREAM }),
        () => events.ping(),
      ]) {
        const next = await timed(work);
        expect(next).toMatchObject({ unavailable: true });
        expect(next.ms).toBeLessThan(100);
      }
      await proxy.heal();
      expect(await answersWithin(sql, 1000)).toBe(true);
      await expect(
        events.append('s-1', [newEvent()], { expectedRevision: NO_STREAM }),
      ).resolves.toMatchObject({ nextExpectedRevision: 0 });
    } finally {
      await close();
    }
  });
});

describe('postgres LISTEN (revocations reach every process)', () => {
  it('hears NOTIFYs; a silent link counts as lost within the probe bound; listens again after', async () => {
    const { sql, proxy, close } = await behindFaultProxy();
    const channel = `test_listen_${Date.now().toString(36)}`;
    const heard: string[] = [];
    const states: boolean[] = [];
    const stop = await (sql.listen as NonNullable<SqlClient['listen']>)(channel, {
      message: (payload) => heard.push(payload),
      listening: (on) => states.push(on),
    });
    // Sent from a connection of its own, not through the proxy: another process's NOTIFY.
    const other = new Client({ connectionString: TEST_DATABASE_URL });
    await other.connect();
    const until = async (done: () => boolean, ms: number) => {
      const deadline = Date.now() + ms;
      while (!done() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      return done();
    };
    try {
      expect(states).toEqual([true]);
      await other.query('select pg_notify($1, $2)', [channel, 'p-1']);
      expect(await until(() => heard.includes('p-1'), 2000)).toBe(true);
      await proxy.cut('blackhole');
      const cut = Date.now();
      // No reset, no error: only the probe (every 5 s, 3 s to answer) can tell.
      expect(await until(() => states.length === 2, 10_000)).toBe(true);
      expect(states[1]).toBe(false);
      expect(Date.now() - cut).toBeLessThan(8500);
      await proxy.heal();
      expect(await until(() => states.length === 3, 5000)).toBe(true);
      expect(states[2]).toBe(true);
      await other.query('select pg_notify($1, $2)', [channel, 'p-2']);
      expect(await until(() => heard.includes('p-2'), 2000)).toBe(true);
    } finally {
      await stop();
      await other.end();
      await close();
    }
  }, 30_000);
});

/** Whether `select 1` succeeds within `ms`, tried every 20 ms. */
async function answersWithin(sql: SqlClient, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (
      await sql.query('select 1').then(
        () => true,
        () => false,
      )
    )
      return true;
    await new Promise((r) => setTimeout(r, 20));
  }
  return false;
}

/** A database in a schema of its own, reached through a fault proxy the test can cut. */
async function behindFaultProxy(options: { statementTimeoutMs?: number } = {}) {
  await requirePostgres();
  const schema = uniqueSchema('es');
  const server = new URL(TEST_DATABASE_URL);
  const proxy = await FaultProxy.start({ host: server.hostname, port: Number(server.port) });
  server.host = proxy.address;
  const { events, sql } = await openPostgresDatabase({
    connectionString: server.toString(),
    schema,
    ...options,
  });
  const close = async () => {
    await events.close();
    await proxy.stop();
    await dropSchema(schema);
  };
  return { events, sql, proxy, close };
}
