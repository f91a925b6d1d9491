import { PGlite } from '@electric-sql/pglite';
import { tempDir } from '@ledger/testing';
import { writeFileSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { describeEventStoreContract } from '../contract/event-store.contract';
import { StoreUnavailable } from '../event-store.errors';
import type { EventStore, NewEvent } from '../event-store.port';
import { embeddedStoreOnDb, openEmbeddedEventStore } from './pglite.event-store';

describeEventStoreContract('embedded (PGlite)', async () => {
  const dir = tempDir();
  const dataDir = join(dir.path, 'pglite');
  let db = await PGlite.create(dataDir);
  let store = await embeddedStoreOnDb(db, 'ledger');
  return {
    get store() {
      return store;
    },
    rejectsIdsFromOtherStreams: true,
    async reopen(): Promise<EventStore> {
      await store.close();
      db = await PGlite.create(dataDir);
      store = await embeddedStoreOnDb(db, 'ledger');
      return store;
    },
    async stallAppend(streamName: string, event: NewEvent) {
      let release!: () => void;
      const released = new Promise<void>((resolve) => (release = resolve));
      let begun!: () => void;
      const inside = new Promise<void>((resolve) => (begun = resolve));
      const done = db.transaction(async (tx) => {
        await tx.query('select ledger.append_to_stream($1, $2, $3::jsonb)', [
          streamName,
          'no_stream',
          JSON.stringify([event]),
        ]);
        begun();
        await released;
      });
      await inside;
      return {
        release: async () => {
          release();
          await done;
        },
      };
    },
    async dispose() {
      await store.close();
      dir.remove();
    },
  };
});

describe('embedded data folder', () => {
  it('refuses a second process-level open of the same folder while the first holds it', async () => {
    const dir = tempDir();
    const first = await openEmbeddedEventStore({ dataDir: dir.path });
    try {
      // Same process id: the lock is re-entrant for this process, so simulate another owner.
      writeFileSync(join(dir.path, 'ledger.lock'), String(process.ppid));
      await expect(openEmbeddedEventStore({ dataDir: dir.path })).rejects.toBeInstanceOf(
        StoreUnavailable,
      );
    } finally {
      await first.close();
      dir.remove();
    }
  });

  it('takes over the lock of a process that died', async () => {
    const dir = tempDir();
    writeFileSync(join(dir.path, 'ledger.lock'), '999999999');
    const store = await openEmbeddedEventStore({ dataDir: dir.path });
    await store.ping();
    await store.close();
    dir.remove();
  });
});

describe('the shared SQL log order', () => {
  it('sorts transaction ids as numbers (999 before 1000), in reads and in the head cursor', async () => {
    const db = await PGlite.create('memory://');
    const store = await embeddedStoreOnDb(db, 'ledger');
    try {
      const insert = `insert into ledger.events (transaction_id, event_id, stream_name, stream_revision,
        event_type, schema_version, data, metadata) values ($1::xid8, $2, $3, 0, 'T', 1, '{}', '{}')`;
      // Written out of order on purpose: the later transaction first.
      await db.query(insert, ['100', randomUUID(), 'late']);
      await db.query(insert, ['99', randomUUID(), 'early']);
      const { events } = await store.readAll();
      expect(events.map((e) => e.streamName)).toEqual(['early', 'late']);
      expect(await store.headCursor()).toBe(events[1].cursor);
    } finally {
      await store.close();
    }
  });
});
