import { PGlite } from '@electric-sql/pglite';
import { tempDir } from '@ledger/testing';
import { readdirSync, statSync, writeFileSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { describeEventStoreContract, newEvent } from '../contract/event-store.contract';
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

  it('is readable by its owner only (folders 0700, files 0600), open and after a stop', async () => {
    const dir = tempDir();
    const dataDir = join(dir.path, 'ledger-data');
    const modes = () => {
      const open: string[] = [];
      const walk = (path: string) => {
        for (const entry of readdirSync(path, { withFileTypes: true })) {
          const inner = join(path, entry.name);
          const mode = statSync(inner).mode & 0o777;
          if (mode & 0o077) open.push(`${inner} ${mode.toString(8)}`);
          if (entry.isDirectory()) walk(inner);
        }
      };
      walk(dataDir);
      return open;
    };
    const store = await openEmbeddedEventStore({ dataDir });
    try {
      expect(statSync(dataDir).mode & 0o777).toBe(0o700);
      expect(modes()).toEqual([]);
      await store.append('rider-1', [newEvent('RiderRegistered', { riderId: '1' })], {
        expectedRevision: 'no_stream',
      });
    } finally {
      await store.close();
    }
    expect(readdirSync(join(dataDir, 'pglite')).length).toBeGreaterThan(5);
    expect(modes()).toEqual([]);
    dir.remove();
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
