import { PGlite } from '@electric-sql/pglite';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { embeddedStoreOnDb } from '../embedded/pglite.event-store';
import { newEvent } from '../contract/event-store.contract';
import { StoreNewerThanCode } from '../event-store.errors';
import { NO_STREAM, START, type EventStore } from '../event-store.port';
import { EVENT_STORE_SCHEMA_VERSION } from './event-store.sql';

const SCHEMA = 'ledger';

/** The DDL an earlier release ran, as it ran it. */
function layout(version: number): string {
  const file = join(__dirname, 'fixtures', `layout-v${version}.sql`);
  return readFileSync(file, 'utf8').replaceAll('{{schema}}', SCHEMA);
}

/** A store written by an earlier layout: its tables, its functions, three events. */
async function earlierStore(version = 1): Promise<PGlite> {
  const db = await PGlite.create();
  await db.exec(layout(version));
  for (const [stream, expected] of [
    ['rider-r1', 'no_stream'],
    ['rider-r1', '0'],
    ['fund-f1', 'no_stream'],
  ]) {
    const events = JSON.stringify([newEvent('PointsAwarded', { points: 5 })]);
    const { rows } = await db.query<{ result: { status: string } }>(
      `select ${SCHEMA}.append_to_stream($1, $2, $3::jsonb) as result`,
      [stream, expected, events],
    );
    expect(rows[0].result.status).toBe('ok');
  }
  return db;
}

async function versions(db: PGlite): Promise<number[]> {
  const { rows } = await db.query<{ version: number }>(
    `select version from ${SCHEMA}.schema_migrations order by version`,
  );
  return rows.map((r) => r.version);
}

async function everything(store: EventStore) {
  const { events } = await store.readAll({ after: START });
  return events.map((e) => [e.streamName, e.revision, e.type, e.data]);
}

describe('opening a store written by an earlier release, a newer one, or another cluster', () => {
  it('opens a version-1 store: the events as written, the layout brought up to this version', async () => {
    const db = await earlierStore();
    expect(await versions(db)).toEqual([1]);
    const upgraded = await embeddedStoreOnDb(db, SCHEMA, () => undefined);
    const before = await everything(upgraded);
    expect(before).toHaveLength(3);
    expect(await versions(db)).toEqual([1, EVENT_STORE_SCHEMA_VERSION]);
    // The new layout's paths work on the old rows: several streams at once (append_many), and
    // an append checked against a revision the old function wrote.
    await Promise.all([
      upgraded.append('rider-r1', [newEvent('PointsAwarded', { points: 1 })], {
        expectedRevision: 1,
      }),
      upgraded.append('rider-r2', [newEvent('PointsAwarded', { points: 2 })], {
        expectedRevision: NO_STREAM,
      }),
      upgraded.append('fund-f1', [newEvent('PointsAwarded', { points: 3 })], {
        expectedRevision: 0,
      }),
    ]);
    const after = await everything(upgraded);
    expect(after.slice(0, 3)).toEqual(before);
    expect(after).toHaveLength(6);
    await expect(
      upgraded.append('rider-r1', [newEvent('PointsAwarded', { points: 1 })], {
        expectedRevision: 1,
      }),
    ).rejects.toMatchObject({ code: 'WRONG_EXPECTED_REVISION', actual: 2 });
    await upgraded.close();
  });

  it('opens a version-2 store: its appends now take the lock the log fence looks for', async () => {
    const db = await earlierStore(2);
    expect(await versions(db)).toEqual([2]);
    const upgraded = await embeddedStoreOnDb(db, SCHEMA, () => undefined);
    expect(await versions(db)).toEqual([2, EVENT_STORE_SCHEMA_VERSION]);
    const before = await everything(upgraded);
    expect(before).toHaveLength(3);
    await upgraded.append('rider-r1', [newEvent('PointsAwarded', { points: 1 })], {
      expectedRevision: 1,
    });
    expect(await everything(upgraded)).toEqual([
      ...before,
      ['rider-r1', 2, 'PointsAwarded', { points: 1 }],
    ]);
    // Version 3's append refuses to follow other writes in its transaction.
    await expect(
      db.transaction(async (tx) => {
        await tx.query(`insert into ${SCHEMA}.streams values ('other', 0)`);
        await tx.query(`select ${SCHEMA}.append_to_stream('rider-r9', 'no_stream', $1::jsonb)`, [
          JSON.stringify([newEvent('PointsAwarded', { points: 1 })]),
        ]);
      }),
    ).rejects.toThrow(/an append must come first in its transaction/);
    await upgraded.close();
  });

  it('upgrades once: opening again changes nothing', async () => {
    const db = await earlierStore();
    const first = await embeddedStoreOnDb(db, SCHEMA, () => undefined);
    const read = await everything(first);
    const { rows } = await db.query<{ n: number }>(
      `select count(*)::int as n from ${SCHEMA}.schema_migrations`,
    );
    const again = await embeddedStoreOnDb(db, SCHEMA, () => undefined);
    expect(await versions(db)).toEqual([1, EVENT_STORE_SCHEMA_VERSION]);
    expect(rows[0].n).toBe(2);
    expect(await everything(again)).toEqual(read);
    await first.close();
  });

  it('refuses a store a newer release wrote, and leaves it as it is', async () => {
    const db = await PGlite.create();
    const current = await embeddedStoreOnDb(db, SCHEMA, () => undefined);
    await current.append('rider-r1', [newEvent('PointsAwarded', { points: 5 })], {
      expectedRevision: NO_STREAM,
    });
    const newer = EVENT_STORE_SCHEMA_VERSION + 1;
    await db.query(`insert into ${SCHEMA}.schema_migrations (version) values ($1)`, [newer]);
    const sentinel = `create or replace function ${SCHEMA}.append_many(p_appends jsonb) returns jsonb
      language sql as $$ select '"newer"'::jsonb $$`;
    await db.exec(sentinel);
    const refused = await embeddedStoreOnDb(db, SCHEMA, () => undefined).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(StoreNewerThanCode);
    expect((refused as Error).message).toContain(
      `schema version ${newer}, written by a newer release`,
    );
    // Its functions were not replaced by this release's.
    const { rows } = await db.query<{ r: string }>(`select ${SCHEMA}.append_many('[]') as r`);
    expect(rows[0].r).toBe('newer');
    await current.close();
  });

  it('refuses a log whose transaction ids run ahead of the database (restored into another cluster)', async () => {
    const db = await PGlite.create();
    const store = await embeddedStoreOnDb(db, SCHEMA, () => undefined);
    await store.append('rider-r1', [newEvent('PointsAwarded', { points: 5 })], {
      expectedRevision: NO_STREAM,
    });
    // Another cluster's ids: far above this one's counter.
    await db.query(`update ${SCHEMA}.events set transaction_id = '4294967296000'::xid8`);
    const refused = await embeddedStoreOnDb(db, SCHEMA, () => undefined).catch((e: unknown) => e);
    expect(refused).toMatchObject({ code: 'STORE_UNAVAILABLE' });
    expect((refused as Error).message).toContain('restored with pg_restore into another cluster');
    await store.close();
  });
});
