import { dropSchema, requirePostgres, TEST_DATABASE_URL, uniqueSchema } from '@ledger/testing';
import { Client } from 'pg';
import { describeEventStoreContract, newEvent } from '../contract/event-store.contract';
import { StoreUnavailable } from '../event-store.errors';
import { NO_STREAM, type EventStore, type NewEvent } from '../event-store.port';
import { openPostgresEventStore } from './postgres.event-store';

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
  it('answers StoreUnavailable quickly when the server cannot be reached', async () => {
    const started = Date.now();
    await expect(
      openPostgresEventStore({ connectionString: 'postgres://root@127.0.0.1:1/test', schema: 'x' }),
    ).rejects.toBeInstanceOf(StoreUnavailable);
    expect(Date.now() - started).toBeLessThan(5000);
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
});
